using System.Globalization;
using Serverless.ModelZoo;

namespace Serverless.Bench;

/// <summary>Benchmark models written once by the model zoo into the scratch folder, with their cost per image.</summary>
internal static class BenchModels
{
    /// <summary>The path of the named model (written on first use) and its GFLOP per image (2 x multiply-accumulates).</summary>
    public static (string Path, double GflopPerImage) Ensure(string name)
    {
        var dir = Path.Combine(BenchPaths.Work, "models");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name + ".onnx");
        var macsPath = Path.Combine(dir, name + ".macs");
        if (!File.Exists(path) || !File.Exists(macsPath))
        {
            Report.Log($"writing {name} to {path}");
            var written = ModelZooWriter.Write(name, path, new ModelZooOptions { ClassesTsvPath = BenchPaths.ClassesTsv });
            File.WriteAllText(macsPath, written.MultiplyAccumulates.ToString(CultureInfo.InvariantCulture));
        }

        var macs = long.Parse(File.ReadAllText(macsPath), CultureInfo.InvariantCulture);
        return (path, 2.0 * macs / 1e9);
    }

    /// <summary>
    /// The named model with its head imprinted from the photos (<see cref="Serverless.Inference.HeadImprinter"/>),
    /// written on first use: the same network and cost, with predictions as confident as a trained
    /// model's, so that comparing its INT8 version against it measures agreement, not near ties.
    /// </summary>
    public static (string Path, double GflopPerImage) EnsureImprinted(string name)
    {
        var (path, gflop) = Ensure(name);
        var imprinted = System.IO.Path.ChangeExtension(path, ".imprinted.onnx");
        if (!File.Exists(imprinted))
        {
            Report.Log($"imprinting the head of {name} on {BenchPaths.Photos}");
            var photos = Serverless.Inference.LocalFolderClassifier.EnumerateImageFiles(BenchPaths.Photos).Take(1000).ToArray();
            Serverless.Inference.HeadImprinter.Write(path, photos, imprinted);
        }

        return (imprinted, gflop);
    }
}
