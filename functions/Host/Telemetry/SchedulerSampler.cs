using Serverless.Jobs.Scheduling;

namespace Serverless.Host.Telemetry;

/// <summary>
/// The scheduler's state for the gauges, read on demand and kept for <c>maxAge</c>: a scrape reads it
/// at most once per <c>maxAge</c> however often Prometheus (or several) scrape, and nothing is read
/// while nobody scrapes. A stale copy starts one read, which concurrent scrapes share, each waiting
/// for it up to <c>wait</c>; a read that fails or is slower keeps the previous copy, so a gauge stops
/// changing rather than disappearing.
/// </summary>
internal sealed class SchedulerSampler(Func<CancellationToken, Task<SchedulerSnapshot>> read, TimeSpan maxAge, TimeSpan wait, TimeProvider clock,
    Action<Exception>? failed = null)
{
    private readonly Lock gate = new();
    private SchedulerSnapshot? latest;
    private DateTimeOffset readAt = DateTimeOffset.MinValue;
    private Task? reading;
    private int reads;

    /// <summary>Reads of the scheduler's state so far (each one storage request or a few).</summary>
    public int Reads => Volatile.Read(ref reads);

    /// <summary>The latest state, read again first when it is older than maxAge (null before a read succeeded).</summary>
    public SchedulerSnapshot? Current()
    {
        Task? pending;
        lock (gate)
        {
            if (reading is null)
            {
                if (clock.GetUtcNow() - readAt < maxAge)
                    return latest;
                // Counted from the start of the read: a slow store is not asked again at every scrape.
                readAt = clock.GetUtcNow();
                // On the pool: its end (reading = null) must come after this assignment, which holds the lock.
                reading = Task.Run(RefreshAsync);
            }
            pending = reading;
        }
        try
        {
            pending.Wait(wait);
        }
        catch (AggregateException)
        {
            // RefreshAsync reports its own failures.
        }
        lock (gate)
            return latest;
    }

    private async Task RefreshAsync()
    {
        try
        {
            Interlocked.Increment(ref reads);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var snapshot = await read(timeout.Token).ConfigureAwait(false);
            lock (gate)
                latest = snapshot;
        }
        catch (Exception e)
        {
            failed?.Invoke(e);
        }
        finally
        {
            lock (gate)
                reading = null;
        }
    }
}
