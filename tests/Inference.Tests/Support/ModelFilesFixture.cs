using System.Collections.Concurrent;
using Serverless.ModelZoo;
using Serverless.TestSupport;

namespace Serverless.Inference.Tests.Support;

/// <summary>Writes the ModelZoo models once per test run, on first use, into a temporary folder.</summary>
public sealed class ModelFilesFixture : IDisposable
{
    private readonly TempDir temp = new("inference-models");
    private readonly ConcurrentDictionary<string, Lazy<string>> written = new();

    /// <summary>The folder that holds the written models.</summary>
    public string Folder => temp.Path;

    public string DominantColor => Get("dominant-color");

    public string MobileNetV2 => Get("mobilenetv2");

    /// <summary>The .onnx path of the named zoo model (with manifest and labels beside it).</summary>
    public string Get(string name) => written.GetOrAdd(name, n => new Lazy<string>(() =>
    {
        var path = temp.Combine(n, n + ".onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ModelZooWriter.Write(n, path, new ModelZooOptions { ClassesTsvPath = RepoPaths.ImagenetClassesTsv });
        return path;
    })).Value;

    /// <summary>A fresh copy of a zoo model in its own folder, for tests that edit the sidecars.</summary>
    public string CopyOf(string name, string folderName)
    {
        var source = Get(name);
        var folder = temp.Combine(folderName);
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(source)!))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
        }

        return Path.Combine(folder, Path.GetFileName(source));
    }

    public void Dispose() => temp.Dispose();
}

[CollectionDefinition(Name)]
public sealed class ModelsCollection : ICollectionFixture<ModelFilesFixture>
{
    public const string Name = "models";
}
