using System.CommandLine;
using System.Text.Json;
using Serverless.BatchInference.Contracts;

namespace Serverless.Cli;

/// <summary>`serverless submit`: starts a batch job on a host, and with --wait follows it to the end.</summary>
internal static class SubmitCommand
{
    public static Command Create()
    {
        var client = new ClientOptions();
        var source = new Argument<string?>("source") { Description = "s3://bucket/prefix, azblob://container/prefix or a folder on the workers (or --manifest).", Arity = ArgumentArity.ZeroOrOne };
        var manifest = new Option<string?>("--manifest") { Description = "Classify the images a manifest lists instead of a source prefix: a CSV with a header, .jsonl, an S3 Inventory's manifest.json, an Azure Blob inventory's <rule>-manifest.json or CSV." };
        var keyColumn = new Option<string?>("--manifest-key-column") { Description = "The manifest's column of keys (default key); the other columns are carried into the rows." };
        var model = new Option<string>("--model") { Description = "Path of the .onnx model on the workers.", Required = true };
        var preset = new Option<string?>("--preset") { Description = "Preprocessing preset: imagenet, caffe, vit." };
        var batchSize = new Option<int?>("--batch-size") { Description = "Images per batch activity." };
        var output = new Option<string?>("--out") { Description = "Where predictions and summary go (default: results/<job id> beside the source)." };
        var format = new Option<string?>("--format") { Description = "jsonl (default), csv or parquet." };
        var id = new Option<string?>("--id") { Description = "Job id; submitting the same id again does not start a second job." };
        var maxFailed = new Option<int?>("--max-failed") { Description = "Stop the job once more than this many images failed." };
        var skipExisting = new Option<string?>("--skip-existing") { Description = "An earlier job's output: images classified there with the same model and ETag are copied, not classified again." };
        var outputs = OutputsOption.Create("; jsonl or parquet");
        var priority = new Option<string?>("--priority") { Description = "high, normal (default) or low: which work starts first when the workers are saturated." };
        var wait = new Option<bool>("--wait") { Description = "Follow the job with a progress bar until it ends; exit 0 only if it completed." };
        var command = new Command("submit", "Submit a batch classification job.") { source, manifest, keyColumn, model, preset, batchSize, output, format, outputs, id, maxFailed, skipExisting, priority, wait };
        client.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            using var jobs = client.CreateClient(parse);
            var answer = await jobs.SubmitAsync(new JobRequest
            {
                Source = parse.GetValue(source),
                Manifest = parse.GetValue(manifest),
                ManifestKeyColumn = parse.GetValue(keyColumn),
                Model = parse.GetValue(model),
                Preset = parse.GetValue(preset),
                BatchSize = parse.GetValue(batchSize),
                Output = parse.GetValue(output),
                Format = parse.GetValue(format),
                Id = parse.GetValue(id),
                MaxFailedImages = parse.GetValue(maxFailed),
                SkipExisting = parse.GetValue(skipExisting),
                Priority = parse.GetValue(priority),
                Outputs = OutputsOption.Names(parse, outputs) is { Length: > 0 } names ? names : null,
            }, ct);
            var jobId = answer.GetProperty("id").GetString()!;
            Console.Error.WriteLine($"submitted job {jobId}");
            if (!parse.GetValue(wait))
            {
                Console.WriteLine(client.Json(parse) ? JsonSerializer.Serialize(answer, JobsClient.Json) : jobId);
                return ExitCodes.Success;
            }
            return await JobWatcher.WaitAsync(jobs, jobId, client.Json(parse), ct);
        });
        return command;
    }
}
