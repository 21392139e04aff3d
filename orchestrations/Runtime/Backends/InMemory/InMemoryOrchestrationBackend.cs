using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Backends.InMemory;

/// <summary>
/// A task hub held in process memory: for unit tests and single-process runs. One lock guards
/// everything, so every operation is atomic; it still has real lock expiry, dequeue counts and
/// delayed visibility, so the behavioural suite exercises the worker's recovery paths.
/// </summary>
public sealed partial class InMemoryOrchestrationBackend : IOrchestrationBackend, IOrchestrationQueryBackend
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, InstanceRecord> _instances = new(StringComparer.Ordinal);
    private readonly Queue<InstanceRecord> _readyInstances = new();
    private readonly PriorityQueue<InstanceRecord, DateTime> _delayedInstances = new();
    private readonly PriorityQueue<(InstanceRecord Record, string Token), DateTime> _instanceLocks = new();
    private readonly InMemoryBackendOptions _options;
    private long _version;

    /// <summary>Creates an empty task hub.</summary>
    public InMemoryOrchestrationBackend(InMemoryBackendOptions? options = null) => _options = options ?? new InMemoryBackendOptions();

    private DateTime Now => _options.TimeProvider.GetUtcNow().UtcDateTime;

    /// <inheritdoc/>
    public Task CreateTaskHubAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task DeleteTaskHubAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _instances.Clear();
            _readyInstances.Clear();
            _delayedInstances.Clear();
            _instanceLocks.Clear();
            ClearActivities();
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task<bool> CreateOrchestrationInstanceAsync(OrchestrationMessage startMessage, CancellationToken cancellationToken = default)
    {
        if (startMessage.Event is not ExecutionStartedEvent)
            throw new ArgumentException("The start message must carry an ExecutionStartedEvent.", nameof(startMessage));
        lock (_gate)
            return Task.FromResult(Route(startMessage));
    }

    /// <inheritdoc/>
    public Task SendMessageAsync(OrchestrationMessage message, CancellationToken cancellationToken = default)
    {
        lock (_gate)
            Route(message);
        return Task.CompletedTask;
    }

    /// <summary>Delivers a message to its instance; a start message creates the instance. Caller holds the lock.</summary>
    private bool Route(OrchestrationMessage message)
    {
        _instances.TryGetValue(message.TargetInstanceId, out var record);
        if (message.Event is ExecutionStartedEvent started)
        {
            if (record?.State is { } existing && !existing.RuntimeStatus.IsTerminal())
                return false;
            record ??= _instances[message.TargetInstanceId] = new InstanceRecord(message.TargetInstanceId);
            record.State = new OrchestrationState
            {
                InstanceId = started.InstanceId,
                ExecutionId = started.ExecutionId,
                Name = started.Name,
                RuntimeStatus = OrchestrationRuntimeStatus.Pending,
                Input = started.Input,
                CreatedAt = started.Timestamp,
                LastUpdatedAt = Now,
                ParentInstanceId = started.Parent?.InstanceId,
            };
        }
        else if (record is null)
        {
            return false;
        }
        var queued = new QueuedMessage(message, message.VisibleAtUtc ?? DateTime.MinValue);
        record.Inbox.Add(queued);
        Signal(record, queued.VisibleAt);
        return true;
    }

    /// <summary>
    /// Makes an unlocked instance fetchable at <paramref name="visibleAt"/>, telling listeners
    /// when that is now. Caller holds the lock.
    /// </summary>
    private void Signal(InstanceRecord record, DateTime visibleAt)
    {
        if (record.LockToken is not null)
            return;
        if (visibleAt > Now)
        {
            _delayedInstances.Enqueue(record, visibleAt);
            ArmDueTimer();
        }
        else if (!record.Queued)
        {
            record.Queued = true;
            _readyInstances.Enqueue(record);
            Announce(WorkItemKinds.Orchestration);
        }
    }

    /// <summary>Moves instances whose delayed messages are due to the ready queue. Caller holds the lock.</summary>
    private void PromoteDueInstances(DateTime now)
    {
        while (_delayedInstances.TryPeek(out var delayed, out var at) && at <= now)
        {
            _delayedInstances.Dequeue();
            Signal(delayed, at);
        }
    }
}
