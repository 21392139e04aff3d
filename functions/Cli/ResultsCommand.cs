using System.CommandLine;
using System.Text.Json;
using Serverless.BatchInference.Contracts;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Cli;

/// <summary>
/// `serverless results`: a job's predictions, read from storage with the credentials of the
/// environment. A completed job names its file in its output; a job that failed (an error
/// threshold stops a job after writing what it has) or was terminated is looked up through the
/// <c>summary.json</c> of its output location, which must be this job's.
/// </summary>
internal static class ResultsCommand
{
    public static Command Create()
    {
        var client = new ClientOptions();
        var id = new Argument<string>("id") { Description = "Job id." };
        var download = new Option<FileInfo?>("--download") { Description = "Write the predictions to this file instead of stdout." };
        var merged = new Option<bool>("--merged") { Description = "The newest row per key over the job and its reruns, as JSON Lines, read by the host (GET api/jobs/<id>/results?merged=true)." };
        var command = new Command("results", "Print or download a job's predictions (storage credentials from the environment); also a failed job's, when it wrote them.") { id, download, merged };
        client.AddTo(command, output: false);
        command.SetAction(async (parse, ct) =>
        {
            var jobId = parse.GetValue(id)!;
            await using var stream = await OpenAsync(client, parse, jobId, parse.GetValue(merged), ct);
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

    /// <summary>The job's predictions: from storage as written, or (merged) the host's combined view of the job and its reruns.</summary>
    private static async Task<Stream> OpenAsync(ClientOptions client, ParseResult parse, string jobId, bool merged, CancellationToken ct)
    {
        using var jobs = client.CreateClient(parse);
        if (merged)
            return await jobs.OpenResultsAsync(jobId, merged: true, ct);
        var connections = StorageConnections.FromEnvironment();
        var predictions = await LocateAsync(jobs, jobId, connections, ct);
        var slash = predictions.LastIndexOf('/');
        return await ResultStoreFactory.Create(predictions[..slash], connections).OpenReadAsync(predictions[(slash + 1)..], ct);
    }

    /// <summary>Where the job's predictions are; for a job that did not complete, says on stderr that they are what it wrote before it ended.</summary>
    private static async Task<string> LocateAsync(JobsClient jobs, string jobId, StorageConnections connections, CancellationToken ct)
    {
        var status = await jobs.GetKnownAsync(jobId, ct, showInput: true);
        var runtime = status.GetProperty("runtimeStatus").GetString();
        if (status.TryGetProperty("output", out var output) && output.ValueKind == JsonValueKind.Object
            && output.TryGetProperty("predictions", out var completed) && completed.GetString() is { } path)
            return path;
        if (ExitCodes.ForJob(runtime) == ExitCodes.StillRunning)
            throw new CliException($"job {jobId} has no results yet ({runtime}; serverless status {jobId} --wait follows it)");

        var location = OutputLocation(status) ?? throw new CliException($"job {jobId} is {runtime} and its status names no output location");
        var summary = await ReadSummaryAsync(location, connections, ct);
        if (summary?.JobId != jobId)
            throw new CliException($"job {jobId} is {runtime} and wrote no predictions (no summary.json of this job in {location})");
        Console.Error.WriteLine($"warning: job {jobId} is {runtime}{Reason(status)}; these are the predictions it wrote before it ended ({summary.Total} images, {summary.Failed} failed)");
        return $"{location.TrimEnd('/')}/{summary.Predictions}";
    }

    /// <summary>The job's output location, from its input (the job orchestrator's state).</summary>
    private static string? OutputLocation(JsonElement status) =>
        status.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.Object
            ? input.Deserialize<JobState>(JobsClient.Json)?.Spec.Output
            : null;

    private static async Task<JobSummary?> ReadSummaryAsync(string location, StorageConnections connections, CancellationToken ct)
    {
        try
        {
            return await new ResultWriter(ResultStoreFactory.Create(location, connections)).ReadSummaryAsync(ct);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.ObjectNotFound)
        {
            return null;
        }
    }

    /// <summary>EPIPE (32 on Linux and macOS): stdout's reader has gone. .NET ignores SIGPIPE, so it is an <see cref="IOException"/>.</summary>
    private static bool IsBrokenPipe(IOException e) => e.HResult == 32 || e.Message.Contains("Broken pipe", StringComparison.OrdinalIgnoreCase);

    private static string Reason(JsonElement status) =>
        status.TryGetProperty("failureDetails", out var failure) && failure.ValueKind == JsonValueKind.Object
        && failure.TryGetProperty("errorMessage", out var message) && message.GetString() is { Length: > 0 } text
            ? $" ({CliErrors.OneLine(text)})"
            : "";
}
