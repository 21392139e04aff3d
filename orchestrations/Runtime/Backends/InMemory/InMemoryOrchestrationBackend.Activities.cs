namespace Serverless.Orchestrations.Backends.InMemory;

public sealed partial class InMemoryOrchestrationBackend
{
    private readonly Queue<ActivityEntry> _readyActivities = new();
    private readonly PriorityQueue<ActivityEntry, DateTime> _delayedActivities = new();
    private readonly PriorityQueue<(ActivityEntry Entry, string Token), DateTime> _activityLocks = new();

    /// <summary>Activity requests waiting to be fetched (visible now or later), for tests and metrics.</summary>
    public int PendingActivityCount
    {
        get
        {
            lock (_gate)
                return _readyActivities.Count + _delayedActivities.Count;
        }
    }

    /// <inheritdoc/>
    public Task<ActivityWorkItem?> GetActivityWorkItemAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var now = Now;
            while (_activityLocks.TryPeek(out var held, out var until) && until <= now)
            {
                _activityLocks.Dequeue();
                if (!held.Entry.Done && held.Entry.LockToken == held.Token && held.Entry.LockedUntil <= now)
                {
                    held.Entry.LockToken = null;
                    _readyActivities.Enqueue(held.Entry);
                }
            }
            PromoteDueActivities(now);
            if (!_readyActivities.TryDequeue(out var entry))
                return Task.FromResult<ActivityWorkItem?>(null);
            entry.DequeueCount++;
            entry.LockToken = Guid.NewGuid().ToString("N");
            entry.LockedUntil = now + _options.ActivityLockTimeout;
            _activityLocks.Enqueue((entry, entry.LockToken), entry.LockedUntil);
            return Task.FromResult<ActivityWorkItem?>(new ActivityWorkItem
            {
                Request = entry.Request,
                DequeueCount = entry.DequeueCount,
                LockedUntilUtc = entry.LockedUntil,
                BackendState = (entry, entry.LockToken),
            });
        }
    }

    /// <inheritdoc/>
    public Task CompleteActivityWorkItemAsync(ActivityWorkItem workItem, OrchestrationMessage response, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var entry = OwnedEntry(workItem);
            entry.Done = true;
            entry.LockToken = null;
            Route(response);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task AbandonActivityWorkItemAsync(ActivityWorkItem workItem, TimeSpan? retryAfter = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var (entry, token) = ((ActivityEntry, string))workItem.BackendState!;
            if (!entry.Done && entry.LockToken == token)
            {
                entry.LockToken = null;
                if (retryAfter is { } delay && delay > TimeSpan.Zero)
                {
                    _delayedActivities.Enqueue(entry, Now + delay);
                    ArmDueTimer();
                }
                else
                {
                    MakeReady(entry);
                }
            }
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task RenewActivityWorkItemLockAsync(ActivityWorkItem workItem, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var entry = OwnedEntry(workItem);
            entry.LockedUntil = Now + _options.ActivityLockTimeout;
            workItem.LockedUntilUtc = entry.LockedUntil;
            _activityLocks.Enqueue((entry, entry.LockToken!), entry.LockedUntil);
        }
        return Task.CompletedTask;
    }

    private void EnqueueActivity(ActivityRequest request) => MakeReady(new ActivityEntry(request));

    /// <summary>Queues a request for fetching now and tells listeners. Caller holds the lock.</summary>
    private void MakeReady(ActivityEntry entry)
    {
        _readyActivities.Enqueue(entry);
        Announce(WorkItemKinds.Activity);
    }

    /// <summary>Moves requests whose retry delay is over to the ready queue. Caller holds the lock.</summary>
    private void PromoteDueActivities(DateTime now)
    {
        while (_delayedActivities.TryPeek(out _, out var at) && at <= now)
            MakeReady(_delayedActivities.Dequeue());
    }

    private ActivityEntry OwnedEntry(ActivityWorkItem workItem)
    {
        var (entry, token) = ((ActivityEntry, string))workItem.BackendState!;
        if (entry.Done || entry.LockToken != token || entry.LockedUntil <= Now)
            throw new LockLostException($"The lock on activity '{workItem.Request.Name}' of instance '{workItem.Request.InstanceId}' was lost.");
        return entry;
    }

    private void ClearActivities()
    {
        _readyActivities.Clear();
        _delayedActivities.Clear();
        _activityLocks.Clear();
    }
}
