using System.Text.Json;
using Microsoft.DurableTask.Client;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Progress;

namespace Serverless.Jobs;

/// <summary>
/// A running job's progress counted in images, not pages: the job's own custom status counts
/// finished pages, and each running page sub-orchestration reports the images of its finished
/// work units; within a unit, the unit's own counter (<see cref="UnitProgress"/>) moves as its
/// inference batches finish. Adding them lets a small job (one page, one unit) show progress while it runs.
/// </summary>
public static class LiveProgress
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The job's status with its running pages' progress added: of each page, the larger of its
    /// finished units (its custom status) and the counters of its units (<paramref name="units"/>,
    /// written during each unit and at its end).
    /// </summary>
    public static async Task<JobStatusResponse> AddRunningPagesAsync(DurableTaskClient client, UnitProgress units, JobStatusResponse status, CancellationToken cancellationToken)
    {
        if (status.RuntimeStatus != nameof(OrchestrationRuntimeStatus.Running) || status.CustomStatus is not { ValueKind: JsonValueKind.Object } custom
            || custom.Deserialize<JobProgress>(Json) is not { } job)
            return status;

        long done = 0, failed = 0;
        string? waiting = null, priority = null;
        var query = new OrchestrationQuery
        {
            InstanceIdPrefix = PageIds.PrefixOf(status.InstanceId),
            Statuses = [OrchestrationRuntimeStatus.Running],
            PageSize = 16,
            FetchInputsAndOutputs = false,
        };
        await foreach (var page in client.GetAllInstancesAsync(query).AsPages(pageSizeHint: 16).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            foreach (var instance in page.Values)
            {
                var progress = instance.SerializedCustomStatus is { Length: > 0 } text ? JsonSerializer.Deserialize<PageProgress>(text, Json) : null;
                var (pageDone, pageFailed) = progress is null ? (0L, 0L) : (progress.Done, progress.Failed);
                // The scheduler's word on the job (an admin's change, aging, why it waits) comes with its pages' calls.
                waiting ??= progress?.Waiting;
                priority ??= progress?.Priority;
                if (units is not null && PageIds.TryParse(instance.InstanceId, out var jobId, out var pageIndex))
                {
                    var counted = await units.ReadPageAsync(jobId, pageIndex, cancellationToken).ConfigureAwait(false);
                    if (counted.Done > pageDone)
                        (pageDone, pageFailed) = counted;
                }
                done += pageDone;
                failed += pageFailed;
            }
            break; // at most two pages run at once: the first page of results holds them
        }
        job = job with { Priority = priority ?? job.Priority, Waiting = waiting ?? job.Waiting };
        if (done == 0)
            return status with { CustomStatus = JsonSerializer.SerializeToElement(job, Json) };

        // From the job's start: the created time is its current execution's, which continue-as-new moves.
        var seconds = Math.Max((DateTime.UtcNow - (job.StartedAt ?? status.CreatedTime)).TotalSeconds, 1e-3);
        var total = job.Done + done;
        var rate = total / seconds;
        double? eta = job.Total is { } t && rate > 0 ? Math.Round((t - total) / rate, 1) : null;
        var merged = job with { Done = total, Failed = job.Failed + failed, ImagesPerSecond = Math.Round(rate, 2), EtaSeconds = eta };
        return status with { CustomStatus = JsonSerializer.SerializeToElement(merged, Json) };
    }
}
