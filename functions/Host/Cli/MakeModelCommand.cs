using System.CommandLine;
using Serverless.ModelZoo;

namespace Serverless.Host.Cli;

/// <summary>`serverless make-model`: writes an ONNX model of a known architecture with its manifest and labels.</summary>
internal static class MakeModelCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = $"Model to write: {string.Join(", ", ModelZooWriter.Names)}." };
        name.AcceptOnlyFromAmong([.. ModelZooWriter.Names, .. ModelZooWriter.TestVariantNames]);
        var output = new Option<FileInfo>("--out") { Description = "Path of the .onnx file to write.", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the random weights.", DefaultValueFactory = _ => 42 };
        var classes = new Option<FileInfo?>("--classes")
        {
            Description = "ImageNet classes TSV (index, wnid, name) for the labels; default: ../shared/datasets/imagenet-classes.tsv when present.",
        };
        var command = new Command("make-model", "Write an ONNX model: MobileNetV2 or ResNet-50 architecture with seeded weights, or the dominant-color test model.")
        {
            name, output, seed, classes,
        };
        command.SetAction(parse =>
        {
            var classesPath = parse.GetValue(classes)?.FullName ?? DefaultClassesPath();
            var written = ModelZooWriter.Write(parse.GetValue(name)!, parse.GetValue(output)!.FullName,
                new ModelZooOptions { Seed = parse.GetValue(seed), ClassesTsvPath = classesPath });
            Console.WriteLine($"wrote {written.ModelPath} ({written.Parameters:N0} parameters, {written.MultiplyAccumulates / 1e9:F2} GMAC per image)");
            if (written.ManifestPath is not null)
                Console.WriteLine($"wrote {written.ManifestPath}");
            if (written.LabelsPath is not null)
                Console.WriteLine($"wrote {written.LabelsPath}");
            return 0;
        });
        return command;
    }

    /// <summary>The shared ImageNet class list, found next to the repository when it is there.</summary>
    private static string? DefaultClassesPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "datasets", "imagenet-classes.tsv");
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
