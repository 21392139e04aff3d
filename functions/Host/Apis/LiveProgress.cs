using System.Text.Json;
using Serverless.BatchInference.Contracts;
using Serverless.Orchestrations;
using Serverless.Orchestrations.Client;

namespace Serverless.Host.Apis;

/// <summary>
/// A running job's progress counted in images, not pages: the job's own custom status counts
/// finished pages, and each running page sub-orchestration reports the images of its finished
/// batches. Adding the two lets a small job (one page) show progress while it runs.
/// </summary>
internal static class LiveProgress
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<JobStatusResponse> AddRunningPagesAsync(DurableTaskClient client, JobStatusResponse status, CancellationToken cancellationToken)
    {
        if (status.RuntimeStatus != nameof(OrchestrationRuntimeStatus.Running) || status.CustomStatus is not { ValueKind: JsonValueKind.Object } custom
            || custom.Deserialize<JobProgress>(Json) is not { } job)
            return status;

        var pages = await client.QueryInstancesAsync(new OrchestrationQuery
        {
            InstanceIdPrefix = $"{status.InstanceId}:page:",
            Statuses = [OrchestrationRuntimeStatus.Running],
            PageSize = 16,
        }, cancellationToken);
        long done = 0, failed = 0;
        foreach (var page in pages.Instances)
        {
            if (page.ReadCustomStatusAs<PageProgress>() is { } progress)
            {
                done += progress.Done;
                failed += progress.Failed;
            }
        }
        if (done == 0)
            return status;

        var seconds = Math.Max((DateTime.UtcNow - status.CreatedTime).TotalSeconds, 1e-3);
        var total = job.Done + done;
        var rate = total / seconds;
        double? eta = job.Total is { } t && rate > 0 ? Math.Round((t - total) / rate, 1) : null;
        var merged = job with { Done = total, Failed = job.Failed + failed, ImagesPerSecond = Math.Round(rate, 2), EtaSeconds = eta };
        return status with { CustomStatus = JsonSerializer.SerializeToElement(merged, Json) };
    }
}
