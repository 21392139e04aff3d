using Azure.Storage.Queues;

namespace Serverless.Bench;

/// <summary>
/// Samples the task hub's work-item queue while a job runs, the way KEDA's azure-queue scaler
/// sees it: the approximate count (visible and invisible messages: queueLengthStrategy "all") and
/// the visible ones (a peek of up to 32: "visibleonly"). Invisible = dequeued and not yet deleted,
/// i.e. the batches the worker processes hold; divided by the worker count, what one worker holds.
/// </summary>
internal sealed class WorkItemSampler(QueueClient queue, int workers)
{
    private readonly List<(int All, int Visible)> samples = [];

    /// <summary>The sampling loop; ends when the token given to <see cref="Start"/> is cancelled.</summary>
    public Task Running { get; private set; } = Task.CompletedTask;

    public static WorkItemSampler Start(string connectionString, string hubName, int workers, CancellationToken cancellationToken)
    {
        var sampler = new WorkItemSampler(new QueueClient(connectionString, hubName.ToLowerInvariant() + "-workitems"), workers);
        sampler.Running = sampler.RunAsync(cancellationToken);
        return sampler;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (await queue.ExistsAsync(cancellationToken))
                {
                    var all = (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
                    var visible = (await queue.PeekMessagesAsync(32, cancellationToken)).Value.Length;
                    lock (samples)
                        samples.Add((all, visible));
                }
                await Task.Delay(250, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Prints the held-per-worker figures over the samples in which any work item existed.</summary>
    public void Report()
    {
        List<(int All, int Visible)> busy;
        lock (samples)
            busy = samples.Where(s => s.All > 0).ToList();
        if (busy.Count == 0)
        {
            Bench.Report.Log("work items: no sample saw a message");
            return;
        }
        // A peek returns at most 32: beyond that the visible count is a floor, so held is a ceiling.
        var held = busy.Select(s => (double)Math.Max(0, s.All - s.Visible)).ToList();
        Bench.Report.Value("work_item_samples", busy.Count);
        Bench.Report.Value("work_items_all_mean", busy.Average(s => s.All), "0.0");
        Bench.Report.Value("work_items_all_max", busy.Max(s => s.All));
        Bench.Report.Value("work_items_visible_mean", busy.Average(s => s.Visible), "0.0");
        Bench.Report.Value("work_items_held_per_worker_mean", held.Average() / workers, "0.00");
        Bench.Report.Value("work_items_held_per_worker_max", held.Max() / workers, "0.00");
        // What KEDA would ask for with queueLength = maxConcurrentActivityFunctions (2): ceil(all / 2).
        Bench.Report.Value("keda_replicas_at_queue_length_2_mean", busy.Average(s => Math.Ceiling(s.All / 2.0)), "0.0");
    }
}
