namespace Serverless.Orchestrations.Worker;

/// <summary>
/// Ends one poller's idle wait early. A nudge (this process just produced work for the poller's
/// queue, or the backend says work is there) ends it at once; a wake-up time (a durable timer or
/// a delayed retry becomes due) ends it at that time. Either way the poller fetches and its
/// back-off starts again from the minimum. Never blocks the caller; signals coalesce, so a burst
/// of nudges costs one extra fetch at most.
/// </summary>
internal sealed class PollingSignal(TimeProvider time)
{
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Lock _gate = new();
    private readonly PriorityQueue<DateTime, DateTime> _due = new();
    private int _nudged;

    /// <summary>Work is fetchable now.</summary>
    public void Nudge()
    {
        Interlocked.Exchange(ref _nudged, 1);
        Release();
    }

    /// <summary>Work becomes fetchable at <paramref name="dueUtc"/>.</summary>
    public void WakeAt(DateTime dueUtc)
    {
        lock (_gate)
        {
            var sooner = !_due.TryPeek(out _, out var earliest) || dueUtc < earliest;
            _due.Enqueue(dueUtc, dueUtc);
            if (!sooner)
                return;
        }
        // The waiter recomputes its deadline; it does not fetch before the time comes.
        Release();
    }

    /// <summary>
    /// Waits for <paramref name="idleDelay"/>, or less when nudged or a wake-up time comes first.
    /// </summary>
    /// <returns>True when woken early (nudged or due), false when the idle delay elapsed.</returns>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> is signalled.</exception>
    public async Task<bool> WaitAsync(TimeSpan idleDelay, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow().UtcDateTime + idleDelay;
        while (true)
        {
            if (Interlocked.Exchange(ref _nudged, 0) == 1)
                return true;
            var now = time.GetUtcNow().UtcDateTime;
            var wait = deadline - now;
            lock (_gate)
            {
                var due = false;
                while (_due.TryPeek(out _, out var at) && at <= now)
                {
                    _due.Dequeue();
                    due = true;
                }
                if (due)
                    return true;
                if (_due.TryPeek(out _, out var next) && next - now < wait)
                    wait = next - now;
            }
            if (wait <= TimeSpan.Zero)
                return false;
            await _wake.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Release()
    {
        try
        {
            if (_wake.CurrentCount == 0)
                _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Another signal got there first: the waiter wakes anyway.
        }
    }
}
