namespace Serverless.Orchestrations.Backends.InMemory;

/// <summary>
/// Tells subscribed workers the moment work becomes fetchable, and wakes them at the time a
/// delayed message (a durable timer, a delayed start, a retry) becomes due, with one timer
/// armed for the earliest such time while anyone listens.
/// </summary>
public sealed partial class InMemoryOrchestrationBackend : IWorkAvailableNotifier
{
    /// <summary>Longest single wait of the due-time timer; a later due time re-arms it.</summary>
    private static readonly TimeSpan MaxTimerWait = TimeSpan.FromHours(1);

    private readonly List<Action<WorkItemKinds>> _listeners = [];
    private ITimer? _dueTimer;
    private DateTime _dueTimerAt = DateTime.MaxValue;

    /// <inheritdoc/>
    public IDisposable SubscribeWorkAvailable(Action<WorkItemKinds> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_gate)
        {
            _listeners.Add(listener);
            ArmDueTimer();
        }
        return new Subscription(this, listener);
    }

    /// <summary>Tells every listener that work of <paramref name="kinds"/> is fetchable now. Caller holds the lock.</summary>
    private void Announce(WorkItemKinds kinds)
    {
        foreach (var listener in _listeners)
            listener(kinds);
    }

    /// <summary>Arms the timer for the earliest delayed message unless it already fires sooner. Caller holds the lock.</summary>
    private void ArmDueTimer()
    {
        if (_listeners.Count == 0)
            return;
        var next = DateTime.MaxValue;
        if (_delayedInstances.TryPeek(out _, out var instanceAt))
            next = instanceAt;
        if (_delayedActivities.TryPeek(out _, out var activityAt) && activityAt < next)
            next = activityAt;
        if (next == DateTime.MaxValue || next >= _dueTimerAt)
            return;
        _dueTimerAt = next;
        var wait = next - Now;
        wait = wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxTimerWait ? MaxTimerWait : wait;
        _dueTimer ??= _options.TimeProvider.CreateTimer(_ => OnDueTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _dueTimer.Change(wait, Timeout.InfiniteTimeSpan);
    }

    private void OnDueTimer()
    {
        lock (_gate)
        {
            _dueTimerAt = DateTime.MaxValue;
            var now = Now;
            PromoteDueInstances(now);
            PromoteDueActivities(now);
            ArmDueTimer();
        }
    }

    private void Unsubscribe(Action<WorkItemKinds> listener)
    {
        lock (_gate)
        {
            _listeners.Remove(listener);
            if (_listeners.Count > 0)
                return;
            _dueTimer?.Dispose();
            _dueTimer = null;
            _dueTimerAt = DateTime.MaxValue;
        }
    }

    private sealed class Subscription(InMemoryOrchestrationBackend backend, Action<WorkItemKinds> listener) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                backend.Unsubscribe(listener);
        }
    }
}
