using System.CommandLine;
using System.Diagnostics;
using Serverless.Inference;
using Serverless.Storage.Results;
using Serverless.Jobs.Classification;

namespace Serverless.Cli;

/// <summary>`serverless classify`: classifies a local folder in this process (the embedded mode, no storage, no orchestrator).</summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo>("folder") { Description = "Folder of images (searched recursively)." };
        var model = new Option<FileInfo>("--model") { Description = "The .onnx model (manifest and labels beside it).", Required = true };
        var preset = new Option<string?>("--preset") { Description = "Preprocessing preset overriding the manifest: imagenet, caffe, vit." };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per inference batch.", DefaultValueFactory = _ => 32 };
        var top = new Option<int>("--top") { Description = "Classes reported per image.", DefaultValueFactory = _ => 5 };
        var output = new Option<FileInfo>("--out") { Description = "Predictions file (JSON Lines).", Required = true };
        var outputs = OutputsOption.Create(", as a job's outputs");
        batchSize.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 1024) r.AddError("--batch-size must be between 1 and 1024."); });
        top.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--top must be at least 1."); });

        var command = new Command("classify", "Classify a local folder of images in one process.") { folder, model, preset, batchSize, top, output, outputs };
        command.SetAction(async (parse, ct) =>
        {
            var root = parse.GetValue(folder)!;
            if (!root.Exists)
                throw new CliException($"folder not found: {root.FullName}");
            var loaded = ModelCache.Shared.GetOrLoad(parse.GetValue(model)!.FullName, InferenceOptions.Default, parse.GetValue(preset));
            var outFile = parse.GetValue(output)!;
            var names = OutputsOption.Names(parse, outputs);
            return await RunAsync(root.FullName, loaded, parse.GetValue(batchSize), parse.GetValue(top), names, outFile.FullName, ct);
        });
        return command;
    }

    /// <returns>0 when at least one image was classified; an empty folder, or one where every image failed, is an error.</returns>
    private static async Task<int> RunAsync(string root, LoadedModel model, int batchSize, int top, string[] outputs, string outPath, CancellationToken ct)
    {
        var total = LocalFolderClassifier.EnumerateImageFiles(root).Count;
        if (total == 0)
            throw new CliException($"no images under {root} (searched recursively for {string.Join(", ", LocalFolderClassifier.ImageExtensions.Order())})");
        // A name the model does not have: the same message a job's CheckModel gives, with the model's outputs listed.
        if (ModelOutputs.Problem(model, outputs) is { } problem)
            throw new CliException($"--outputs: {problem}");
        using var classifier = new BatchClassifier(model, batchSize, top, outputs);
        Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
        var clock = Stopwatch.StartNew();
        long done = 0, failed = 0;
        await new ProgressReporter().RunAsync("classify", async report =>
        {
            await using var writer = new StreamWriter(outPath);
            await foreach (var prediction in LocalFolderClassifier.ClassifyAsync(classifier, root, ct))
            {
                // The rows of a job's predictions.jsonl, so a folder classified here reads like a job's results.
                await writer.WriteLineAsync(PredictionJson.Serialize(PredictionRows.From(prediction)).AsMemory(), ct);
                done++;
                if (!prediction.Succeeded)
                    failed++;
                var rate = done / Math.Max(clock.Elapsed.TotalSeconds, 1e-3);
                report(new ProgressSnapshot("classify", done, failed, total, rate, (total - done) / Math.Max(rate, 1e-9)));
            }
            return done;
        });
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"images={done} failed={failed} seconds={seconds:F2} images_per_s={done / Math.Max(seconds, 1e-3):F1} out={outPath}");
        if (failed == done)
            throw new CliException($"every image failed ({failed} of {done}): their reasons are in {outPath}");
        return ExitCodes.Success;
    }
}
