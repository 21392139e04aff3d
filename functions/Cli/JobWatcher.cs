using System.Text.Json;
using Serverless.BatchInference.Contracts;

namespace Serverless.Cli;

/// <summary>Polls a job until it ends, feeding its custom status (progress) to the progress bar; prints the outcome.</summary>
internal static class JobWatcher
{
    /// <returns>The exit code of the job's end (<see cref="ExitCodes.ForJob"/>).</returns>
    public static async Task<int> WaitAsync(JobsClient jobs, string jobId, bool json, CancellationToken ct)
    {
        JsonElement final;
        try
        {
            final = await new ProgressReporter().RunAsync(jobId, report => PollAsync(jobs, jobId, report, ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl+C stops the following, not the job.
            throw new CliInterruptedException($"job {jobId} keeps running (follow it: serverless status {jobId} --wait; stop it: serverless terminate {jobId})");
        }
        return JobPrinter.PrintOutcome(final, json);
    }

    private static async Task<JsonElement> PollAsync(JobsClient jobs, string jobId, Action<ProgressSnapshot> report, CancellationToken ct)
    {
        while (true)
        {
            var status = await jobs.GetAsync(jobId, ct) ?? throw new JobsClientException($"job {jobId} disappeared");
            var runtime = status.GetProperty("runtimeStatus").GetString();
            var ended = ExitCodes.ForJob(runtime) != ExitCodes.StillRunning;
            if (status.TryGetProperty("customStatus", out var custom) && custom.ValueKind == JsonValueKind.Object
                && custom.Deserialize<JobProgress>(JobsClient.Json) is { } p)
                report(new ProgressSnapshot(p.Phase, p.Done, p.Failed, p.Total, p.ImagesPerSecond, p.EtaSeconds, ended));
            else
                // Not started by a worker yet (Pending): say so, rather than nothing.
                report(new ProgressSnapshot(runtime?.ToLowerInvariant() ?? "unknown", 0, 0, null, 0, null, ended));
            if (ended)
                return status;
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }
}
