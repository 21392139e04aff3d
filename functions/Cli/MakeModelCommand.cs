using System.CommandLine;
using Serverless.Inference.Quantization;
using Serverless.ModelZoo;

namespace Serverless.Cli;

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
        var int8 = new Option<bool>("--int8") { Description = "Also write <stem>.int8.onnx beside it: the model quantized to INT8 (as `serverless quantize` does)." };
        var calibrate = new Option<DirectoryInfo?>("--calibrate")
        {
            Description = "Images to calibrate --int8 on; default: ../shared/datasets/imagenet-sample-200 when present.",
        };
        var command = new Command("make-model", "Write an ONNX model: MobileNetV2 or ResNet-50 architecture with seeded weights, or the dominant-color test model.")
        {
            name, output, seed, classes, int8, calibrate,
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
            if (parse.GetValue(int8))
            {
                var folder = parse.GetValue(calibrate)?.FullName ?? SharedDataset("imagenet-sample-200")
                    ?? throw new CliException("--int8 needs calibration images: give --calibrate <folder>.", ExitCodes.Failure);
                var int8Path = Path.Combine(Path.GetDirectoryName(written.ModelPath)!, Path.GetFileNameWithoutExtension(written.ModelPath) + ".int8.onnx");
                QuantizeCommand.Print(ModelQuantizer.Quantize(written.ModelPath, folder, int8Path, log: Console.Error.WriteLine));
            }

            return 0;
        });
        return command;
    }

    /// <summary>The shared ImageNet class list, found next to the repository when it is there.</summary>
    private static string? DefaultClassesPath() => SharedDataset("imagenet-classes.tsv");

    /// <summary>A file or folder of the shared datasets folder beside the repository, when it is there.</summary>
    private static string? SharedDataset(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "datasets", name);
            if (File.Exists(candidate) || Directory.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
