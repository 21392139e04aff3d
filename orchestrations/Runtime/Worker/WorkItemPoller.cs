using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Serverless.Orchestrations.Worker;

/// <summary>
/// Fetches work items while a concurrency slot is free and runs them in the background.
/// Adaptive polling: fetches again at once while work keeps coming, and backs off exponentially
/// (doubling from the minimum to the maximum polling interval) while the queue is empty. The
/// <see cref="PollingSignal"/> cuts an idle wait short when this process produced work for the
/// queue (or the backend says some is there), so a chain of short steps never waits out the
/// back-off between hops.
/// </summary>
internal sealed class WorkItemPoller<T>(
    string kind,
    int maxConcurrency,
    Func<CancellationToken, Task<T?>> fetch,
    Func<T, Task> process,
    DurableTaskStorageOptions polling,
    PollingSignal signal,
    ILogger logger) where T : class
{
    private readonly SemaphoreSlim _slots = new(maxConcurrency, maxConcurrency);
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();

    /// <summary>Completes when every work item started so far has finished.</summary>
    public Task WhenDrained() => Task.WhenAll(_inFlight.Keys);

    /// <summary>Polls until <paramref name="stoppingToken"/> is signalled; in-flight items keep running.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var idleDelay = polling.MinQueuePollingInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _slots.WaitAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            T? item;
            try
            {
                item = await fetch(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _slots.Release();
                if (stoppingToken.IsCancellationRequested)
                    return;
                logger.LogWarning(ex, "Fetching {Kind} work items failed; retrying in {Delay}.", kind, idleDelay);
                item = null;
            }
            if (item is null)
            {
                _slots.Release();
                bool woken;
                try
                {
                    woken = await signal.WaitAsync(idleDelay, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                idleDelay = woken ? polling.MinQueuePollingInterval : Next(idleDelay);
                continue;
            }
            idleDelay = polling.MinQueuePollingInterval;
            Start(item);
        }
    }

    private void Start(T item)
    {
        var task = Task.Run(async () =>
        {
            try
            {
                await process(item).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Processing a {Kind} work item failed.", kind);
            }
            finally
            {
                _slots.Release();
            }
        });
        _inFlight.TryAdd(task, 0);
        task.ContinueWith(t => _inFlight.TryRemove(t, out _), TaskScheduler.Default);
    }

    private TimeSpan Next(TimeSpan delay)
    {
        var doubled = delay + delay;
        return doubled > polling.MaxQueuePollingInterval ? polling.MaxQueuePollingInterval : doubled;
    }
}
