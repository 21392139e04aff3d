using System.CommandLine;
using System.Text.Json;
using Serverless.Storage;

namespace Serverless.Host.Cli;

/// <summary>`serverless results`: a completed job's predictions, read from storage with the credentials of the environment.</summary>
internal static class ResultsCommand
{
    public static Command Create()
    {
        var client = new ClientOptions();
        var id = new Argument<string>("id") { Description = "Job id." };
        var download = new Option<FileInfo?>("--download") { Description = "Write the predictions to this file instead of stdout." };
        var command = new Command("results", "Print or download a finished job's predictions (storage credentials from the environment).") { id, download };
        client.AddTo(command, output: false);
        command.SetAction(async (parse, ct) =>
        {
            var jobId = parse.GetValue(id)!;
            string predictions;
            using (var jobs = client.CreateClient(parse))
                predictions = await LocateAsync(jobs, jobId, ct);
            var slash = predictions.LastIndexOf('/');
            var store = ResultStoreFactory.Create(predictions[..slash], StorageConnections.FromEnvironment());
            await using var stream = await store.OpenReadAsync(predictions[(slash + 1)..], ct);
            if (parse.GetValue(download) is { } file)
            {
                await using var target = file.Create();
                await stream.CopyToAsync(target, ct);
                Console.Error.WriteLine($"wrote {file.FullName}");
            }
            else
            {
                await using var stdout = Console.OpenStandardOutput();
                try
                {
                    await stream.CopyToAsync(stdout, ct);
                }
                catch (IOException e) when (IsBrokenPipe(e))
                {
                    // `serverless results id | head`: the reader has what it wanted.
                }
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Where the completed job's predictions are.</summary>
    private static async Task<string> LocateAsync(JobsClient jobs, string jobId, CancellationToken ct)
    {
        var status = await jobs.GetKnownAsync(jobId, ct);
        if (status.TryGetProperty("output", out var output) && output.ValueKind == JsonValueKind.Object
            && output.TryGetProperty("predictions", out var completed) && completed.GetString() is { } path)
            return path;
        throw new CliException($"job {jobId} has no results yet ({status.GetProperty("runtimeStatus").GetString()})");
    }

    /// <summary>EPIPE (32 on Linux and macOS): stdout's reader has gone. .NET ignores SIGPIPE, so it is an <see cref="IOException"/>.</summary>
    private static bool IsBrokenPipe(IOException e) => e.HResult == 32 || e.Message.Contains("Broken pipe", StringComparison.OrdinalIgnoreCase);
}
