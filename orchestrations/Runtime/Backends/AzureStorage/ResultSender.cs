namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>
/// Sends activity results to their instances' control queues, folding results for one instance
/// that complete while a send for it is in flight into the next queue message (group commit):
/// no wait at low load, one queue send for many results under a fan-in. Every queue write costs a
/// request (and on Azurite a serialized disk append), so this halves the sends per activity.
/// A caller's task completes once the queue message carrying its result is stored.
/// </summary>
internal sealed class ResultSender(Func<IReadOnlyList<OrchestrationMessage>, CancellationToken, Task> send, int maxPerMessage)
{
    private readonly Dictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    public Task SendAsync(OrchestrationMessage message, CancellationToken cancellationToken)
    {
        var pending = new Pending(message);
        bool start;
        Lane lane;
        lock (_lanes)
        {
            if (!_lanes.TryGetValue(message.TargetInstanceId, out lane!))
                _lanes[message.TargetInstanceId] = lane = new Lane();
            lane.Queue.Add(pending);
            start = !lane.Sending;
            lane.Sending = true;
        }
        if (start)
            _ = Task.Run(() => DrainAsync(message.TargetInstanceId, lane), CancellationToken.None);
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task DrainAsync(string instanceId, Lane lane)
    {
        while (true)
        {
            List<Pending> batch;
            lock (_lanes)
            {
                if (lane.Queue.Count == 0)
                {
                    lane.Sending = false;
                    _lanes.Remove(instanceId);
                    return;
                }
                var take = Math.Min(lane.Queue.Count, maxPerMessage);
                batch = lane.Queue.GetRange(0, take);
                lane.Queue.RemoveRange(0, take);
            }
            try
            {
                await send(batch.Select(p => p.Message).ToArray(), CancellationToken.None).ConfigureAwait(false);
                foreach (var p in batch)
                    p.Done.TrySetResult();
            }
            catch (Exception e)
            {
                foreach (var p in batch)
                    p.Done.TrySetException(e);
            }
        }
    }

    private sealed class Lane
    {
        public List<Pending> Queue { get; } = [];

        public bool Sending { get; set; }
    }

    private sealed record Pending(OrchestrationMessage Message)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
