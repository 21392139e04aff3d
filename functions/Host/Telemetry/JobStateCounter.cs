using Microsoft.DurableTask.Client;

namespace Serverless.Host.Telemetry;

/// <summary>
/// Counts jobs by state without reading every job row every sample. Each sample queries only the
/// jobs in flight (Pending, Running, Suspended: a status filter the instance table applies, so the
/// rows returned are bounded by the jobs in flight, not by history). The finished states are
/// counted in full once every <see cref="FullCountEvery"/> samples; between those, a job seen in
/// flight last sample and not now is looked up alone and its final state added. A job that starts
/// and ends between two samples, or a purge, shows at the next full count.
/// </summary>
internal sealed class JobStateCounter(Func<OrchestrationQuery, IAsyncEnumerable<OrchestrationMetadata>> query,
    Func<string, CancellationToken, Task<OrchestrationMetadata?>> lookup, Func<OrchestrationMetadata, bool> isJob)
{
    /// <summary>Samples per full count of the finished states (10: every 10 minutes at the default interval).</summary>
    public const int FullCountEvery = 10;

    /// <summary>The most in-flight jobs counted one by one; beyond it the gauge says at least this many.</summary>
    public const int MaxInFlight = 100_000;

    private static readonly OrchestrationRuntimeStatus[] InFlight = [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Suspended];
    private static readonly OrchestrationRuntimeStatus[] Finished = [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated];

    private Dictionary<OrchestrationRuntimeStatus, long>? finished;
    private HashSet<string> previous = new(StringComparer.Ordinal);
    private int samples;

    /// <summary>Rows the last sample read from the instance table (jobs and lookups): what bounds its cost.</summary>
    public long LastRowsRead { get; private set; }

    /// <summary>Counts of every reported state.</summary>
    public async Task<IReadOnlyDictionary<OrchestrationRuntimeStatus, long>> SampleAsync(CancellationToken cancellationToken)
    {
        long rows = 0;
        var counts = InFlight.ToDictionary(s => s, _ => 0L);
        var current = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var job in JobsAsync(InFlight, cancellationToken).ConfigureAwait(false))
        {
            rows++;
            counts[job.RuntimeStatus]++;
            if (current.Count < MaxInFlight)
                current.Add(job.InstanceId);
            else
                break;
        }

        if (samples++ % FullCountEvery == 0 || finished is null)
        {
            finished = Finished.ToDictionary(s => s, _ => 0L);
            await foreach (var job in JobsAsync(Finished, cancellationToken).ConfigureAwait(false))
            {
                rows++;
                finished[job.RuntimeStatus]++;
            }
        }
        else
        {
            foreach (var id in previous.Where(id => !current.Contains(id)))
            {
                rows++;
                if (await lookup(id, cancellationToken).ConfigureAwait(false) is { } ended && finished.ContainsKey(ended.RuntimeStatus))
                    finished[ended.RuntimeStatus]++;
            }
        }

        previous = current;
        LastRowsRead = rows;
        foreach (var (state, count) in finished)
            counts[state] = count;
        return counts;
    }

    private async IAsyncEnumerable<OrchestrationMetadata> JobsAsync(OrchestrationRuntimeStatus[] states, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = new OrchestrationQuery { Statuses = states, PageSize = 1000, FetchInputsAndOutputs = false };
        await foreach (var instance in query(filter).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            // Pages sort after every job: the scan ends at the first one.
            if (Serverless.BatchInference.Contracts.PageIds.IsPage(instance.InstanceId))
                yield break;
            if (isJob(instance) && states.Contains(instance.RuntimeStatus))
                yield return instance;
        }
    }
}
