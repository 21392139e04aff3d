using System.Text.Json;
using Serverless.BatchInference.Contracts;

namespace Serverless.Host.Cli;

/// <summary>Polls a job until it ends, feeding its custom status (progress) to the progress bar; prints the outcome.</summary>
internal static class JobWatcher
{
    public static async Task<int> WaitAsync(JobsClient jobs, string jobId, bool json, CancellationToken ct)
    {
        var final = await new ProgressReporter().RunAsync(jobId, async report =>
        {
            while (true)
            {
                var status = await jobs.GetAsync(jobId, ct) ?? throw new JobsClientException($"job {jobId} disappeared");
                var runtime = status.GetProperty("runtimeStatus").GetString();
                if (status.TryGetProperty("customStatus", out var custom) && custom.ValueKind == JsonValueKind.Object
                    && custom.Deserialize<JobProgress>(JobsClient.Json) is { } p)
                    report(new ProgressSnapshot(p.Phase, p.Done, p.Failed, p.Total, p.ImagesPerSecond, p.EtaSeconds, runtime is not ("Running" or "Pending")));
                if (runtime is not ("Running" or "Pending"))
                    return status;
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        });
        return JobPrinter.PrintOutcome(final, json);
    }
}
