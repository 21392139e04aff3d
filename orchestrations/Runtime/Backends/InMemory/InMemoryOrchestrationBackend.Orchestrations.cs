using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Backends.InMemory;

public sealed partial class InMemoryOrchestrationBackend
{
    /// <inheritdoc/>
    public Task<OrchestrationWorkItem?> GetOrchestrationWorkItemAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var now = Now;
            ExpireInstanceLocks(now);
            PromoteDueInstances(now);
            while (_readyInstances.TryDequeue(out var record))
            {
                record.Queued = false;
                if (record.LockToken is not null || !_instances.TryGetValue(record.InstanceId, out var current) || current != record)
                    continue;
                var visible = record.Inbox.Where(m => m.VisibleAt <= now).ToList();
                if (visible.Count == 0)
                    continue;
                foreach (var message in visible)
                    message.DequeueCount++;
                var token = Guid.NewGuid().ToString("N");
                record.LockToken = token;
                record.LockedUntil = now + _options.OrchestrationLockTimeout;
                record.LockedMessages = visible;
                _instanceLocks.Enqueue((record, token), record.LockedUntil);
                return Task.FromResult<OrchestrationWorkItem?>(new OrchestrationWorkItem
                {
                    InstanceId = record.InstanceId,
                    Messages = visible.Select(m => m.Message).ToArray(),
                    DequeueCount = visible.Max(m => m.DequeueCount),
                    LockedUntilUtc = record.LockedUntil,
                    BackendState = token,
                });
            }
            return Task.FromResult<OrchestrationWorkItem?>(null);
        }
    }

    /// <inheritdoc/>
    public Task<OrchestrationHistory> GetOrchestrationHistoryAsync(OrchestrationWorkItem workItem, string? cachedVersion, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_instances.TryGetValue(workItem.InstanceId, out var record) || record.History.Count == 0 && record.Version == 0)
                return Task.FromResult(OrchestrationHistory.Empty);
            var version = record.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Task.FromResult(cachedVersion == version
                ? new OrchestrationHistory(null, version, NotModified: true)
                : new OrchestrationHistory(record.History.ToArray(), version));
        }
    }

    /// <inheritdoc/>
    public Task<string> CompleteOrchestrationWorkItemAsync(OrchestrationWorkItem workItem, OrchestrationTurn turn, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var record = OwnedRecord(workItem);
            if (turn.ReplacesHistory)
                record.History = [.. turn.NewHistory];
            else
                record.History.AddRange(turn.NewHistory);
            if (turn.NewHistory.Count > 0 || turn.ReplacesHistory)
                record.Version = ++_version;
            if (turn.State is not null)
                record.State = turn.State;
            foreach (var consumed in record.LockedMessages)
                record.Inbox.Remove(consumed);
            Unlock(record);
            foreach (var activity in turn.NewActivities)
                EnqueueActivity(activity);
            foreach (var message in turn.NewMessages)
                Route(message);
            return Task.FromResult(record.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <inheritdoc/>
    public Task AbandonOrchestrationWorkItemAsync(OrchestrationWorkItem workItem, TimeSpan? retryAfter = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_instances.TryGetValue(workItem.InstanceId, out var record) && record.LockToken == (string?)workItem.BackendState)
            {
                if (retryAfter is { } delay)
                {
                    foreach (var message in record.LockedMessages)
                        message.VisibleAt = Now + delay;
                }
                Unlock(record);
            }
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task RenewOrchestrationWorkItemLockAsync(OrchestrationWorkItem workItem, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var record = OwnedRecord(workItem);
            record.LockedUntil = Now + _options.OrchestrationLockTimeout;
            workItem.LockedUntilUtc = record.LockedUntil;
            _instanceLocks.Enqueue((record, record.LockToken!), record.LockedUntil);
        }
        return Task.CompletedTask;
    }

    private InstanceRecord OwnedRecord(OrchestrationWorkItem workItem)
    {
        ExpireInstanceLocks(Now);
        if (!_instances.TryGetValue(workItem.InstanceId, out var record) || record.LockToken is null || record.LockToken != (string?)workItem.BackendState)
            throw new LockLostException($"The lock on instance '{workItem.InstanceId}' was lost (expired or taken by another worker).");
        return record;
    }

    /// <summary>Releases the instance lock and makes its remaining messages fetchable.</summary>
    private void Unlock(InstanceRecord record)
    {
        record.LockToken = null;
        record.LockedMessages = [];
        foreach (var at in record.Inbox.Select(m => m.VisibleAt).Distinct())
            Signal(record, at);
    }

    private void ExpireInstanceLocks(DateTime now)
    {
        while (_instanceLocks.TryPeek(out var held, out var until) && until <= now)
        {
            _instanceLocks.Dequeue();
            if (held.Record.LockToken == held.Token && held.Record.LockedUntil <= now)
                Unlock(held.Record);
        }
    }
}
