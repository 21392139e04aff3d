using Microsoft.DurableTask.Client;
using Serverless.Jobs.Attempts;
using Serverless.BatchInference.Contracts;

namespace Serverless.Jobs;

/// <summary>
/// Terminate and purge of a job together with its page sub-orchestrations, which DTFx's own
/// terminate and purge leave behind: a terminated parent does not stop its children, and a purge
/// deletes one instance. Pages are found by their id prefix (<see cref="PageIds"/>).
/// </summary>
public sealed class JobManagement(AttemptLedger attempts, JobIndex index, Progress.UnitProgress units, Scheduling.SchedulerControl scheduler)
{
    /// <summary>Terminates the job and its running pages.</summary>
    public async Task TerminateAsync(DurableTaskClient client, string jobId, string reason, CancellationToken cancellationToken)
    {
        await client.TerminateInstanceAsync(jobId, reason, cancellationToken).ConfigureAwait(false);
        await foreach (var (page, _, _) in PagesAsync(client, jobId, [OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Suspended], cancellationToken)
                           .ConfigureAwait(false))
            await client.TerminateInstanceAsync(page, $"its job {jobId} was terminated", cancellationToken).ConfigureAwait(false);
        // A terminated orchestration runs no more code: the scheduler hears of it from here, or its lease ends.
        await scheduler.ReleaseJobAsync(client, jobId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Purges an ended job, its pages and its attempt rows. Returns the number of instances deleted:
    /// 0 when the job is unknown; a job still running is not purged (<see cref="InvalidOperationException"/>).
    /// </summary>
    /// <remarks>
    /// A terminated page may still receive the result of a batch that was running; DTFx then writes
    /// the page's status row back from the history it had loaded (its repair of a missing row), so a
    /// purge right after a terminate can see a page reappear. Until <see cref="QuietPeriod"/> after the
    /// last terminate, the purge looks again after a moment and purges what came back.
    /// </remarks>
    public async Task<int> PurgeAsync(DurableTaskClient client, string jobId, CancellationToken cancellationToken)
    {
        var job = await client.GetInstanceAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (job is null)
            return 0;
        if (!job.IsCompleted)
            throw new InvalidOperationException($"job '{jobId}' is {job.RuntimeStatus}: terminate it before purging it");
        var deleted = 0;
        var lastTerminated = job.RuntimeStatus == OrchestrationRuntimeStatus.Terminated ? job.LastUpdatedAt : DateTimeOffset.MinValue;
        for (var round = 0; round < 5; round++)
        {
            var pages = await PagesAsync(client, jobId, null, cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
            var jobThere = round == 0 || await client.GetInstanceAsync(jobId, cancellationToken).ConfigureAwait(false) is not null;
            if (round > 0 && pages.Count == 0 && !jobThere)
                break;
            // Pages first: if this stops half way, the job is still there to purge again.
            foreach (var page in pages)
            {
                deleted += (await client.PurgeInstanceAsync(page.Id, cancellation: cancellationToken).ConfigureAwait(false)).PurgedInstanceCount;
                if (page.Status == OrchestrationRuntimeStatus.Terminated && page.Updated > lastTerminated)
                    lastTerminated = page.Updated;
            }
            if (round == 0)
            {
                await attempts.DeleteJobAsync(jobId, cancellationToken).ConfigureAwait(false);
                await units.DeleteJobAsync(jobId, cancellationToken).ConfigureAwait(false);
                await index.RemoveAsync(jobId, cancellationToken).ConfigureAwait(false);
            }
            if (jobThere)
                deleted += (await client.PurgeInstanceAsync(jobId, cancellation: cancellationToken).ConfigureAwait(false)).PurgedInstanceCount;
            // Only a terminate leaves batches running that report late; pages that completed have none.
            if (DateTimeOffset.UtcNow - lastTerminated > QuietPeriod)
                break;
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
        return deleted;
    }

    /// <summary>How long after a terminate the batches that were running can still report to their pages.</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(30);

    private static async IAsyncEnumerable<(string Id, OrchestrationRuntimeStatus Status, DateTimeOffset Updated)> PagesAsync(DurableTaskClient client, string jobId, IReadOnlyCollection<OrchestrationRuntimeStatus>? statuses,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = new OrchestrationQuery { InstanceIdPrefix = PageIds.PrefixOf(jobId), Statuses = statuses, PageSize = 100 };
        // Collected first: purging while paging would move the continuation token under the query.
        var pages = new List<(string, OrchestrationRuntimeStatus, DateTimeOffset)>();
        await foreach (var page in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken).ConfigureAwait(false))
            pages.Add((page.InstanceId, page.RuntimeStatus, page.LastUpdatedAt));
        foreach (var page in pages)
            yield return page;
    }
}
