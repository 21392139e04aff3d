using System.Runtime.CompilerServices;
using Serverless.Orchestrations.Backends;
using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Client;

/// <summary>
/// Schedules, queries, signals, terminates and purges orchestration instances. Thread-safe;
/// make one per process. Works in processes that run no worker.
/// </summary>
public sealed class DurableTaskClient(IOrchestrationBackend backend, IOrchestrationQueryBackend queries, DataConverter? converter = null, TimeProvider? timeProvider = null)
{
    private readonly DataConverter _converter = converter ?? DataConverter.Default;
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>
    /// Schedules a new instance and returns its id. Idempotent for an explicit instance id: when
    /// that instance is still Pending or Running it is left alone and the same id is returned.
    /// </summary>
    public async Task<string> ScheduleNewOrchestrationInstanceAsync(string orchestratorName, object? input = null,
        StartOrchestrationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(orchestratorName);
        var instanceId = options?.InstanceId ?? Guid.NewGuid().ToString("N");
        var started = new ExecutionStartedEvent(-1, Now, orchestratorName, instanceId, Guid.NewGuid().ToString("N"),
            _converter.Serialize(input), ScheduledStartTime: options?.StartAt);
        var message = new OrchestrationMessage($"{instanceId}:{started.ExecutionId}:start", instanceId, started) { VisibleAtUtc = options?.StartAt };
        await backend.CreateOrchestrationInstanceAsync(message, cancellationToken).ConfigureAwait(false);
        return instanceId;
    }

    /// <summary>The instance's status, or null when it does not exist.</summary>
    public async Task<OrchestrationMetadata?> GetInstanceAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellationToken = default)
    {
        var state = await queries.GetInstanceAsync(instanceId, getInputsAndOutputs, cancellationToken).ConfigureAwait(false);
        return state is null ? null : new OrchestrationMetadata(state, _converter);
    }

    /// <summary>Polls until the instance is Completed, Failed or Terminated (polling backs off from 10 ms to 1 s).</summary>
    public async Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellationToken = default)
    {
        var delay = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            var metadata = await GetInstanceAsync(instanceId, getInputsAndOutputs, cancellationToken).ConfigureAwait(false);
            if (metadata is { IsCompleted: true })
                return metadata;
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
        }
    }

    /// <summary>One page of instances matching <paramref name="query"/>.</summary>
    public async Task<OrchestrationQueryResult> QueryInstancesAsync(OrchestrationQuery query, CancellationToken cancellationToken = default)
    {
        var page = await queries.ListInstancesAsync(new InstanceQuery
        {
            RuntimeStatuses = query.Statuses,
            CreatedFrom = query.CreatedFrom,
            CreatedTo = query.CreatedTo,
            InstanceIdPrefix = query.InstanceIdPrefix,
            PageSize = query.PageSize,
            ContinuationToken = query.ContinuationToken,
            FetchInputsAndOutputs = query.FetchInputsAndOutputs,
        }, cancellationToken).ConfigureAwait(false);
        return new OrchestrationQueryResult(page.Instances.Select(s => new OrchestrationMetadata(s, _converter)).ToArray(), page.ContinuationToken);
    }

    /// <summary>Every instance matching <paramref name="query"/>, page after page.</summary>
    public async IAsyncEnumerable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? query = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        query ??= new OrchestrationQuery();
        do
        {
            var page = await QueryInstancesAsync(query, cancellationToken).ConfigureAwait(false);
            foreach (var instance in page.Instances)
                yield return instance;
            query = query with { ContinuationToken = page.ContinuationToken };
        }
        while (query.ContinuationToken is not null);
    }

    /// <summary>Sends an external event; the instance receives it through <c>WaitForExternalEvent</c>.</summary>
    public Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellationToken = default)
    {
        var raised = new EventRaisedEvent(-1, Now, eventName, _converter.Serialize(eventPayload));
        return backend.SendMessageAsync(new OrchestrationMessage($"{instanceId}:event:{Guid.NewGuid():N}", instanceId, raised), cancellationToken);
    }

    /// <summary>Terminates a running instance and its running sub-orchestrations; <paramref name="output"/> becomes its output.</summary>
    public Task TerminateInstanceAsync(string instanceId, object? output = null, CancellationToken cancellationToken = default)
    {
        var terminated = new ExecutionTerminatedEvent(-1, Now, _converter.Serialize(output));
        return backend.SendMessageAsync(new OrchestrationMessage($"{instanceId}:terminate:{Guid.NewGuid():N}", instanceId, terminated), cancellationToken);
    }

    /// <summary>
    /// Deletes a finished instance's state and history, and then, recursively, those of the
    /// finished sub-orchestrations its current execution started (as Durable Functions' recursive
    /// purge does). A sub-orchestration still running is left alone, and so are its children; so
    /// is an instance that has the child's id but belongs to another parent.
    /// </summary>
    /// <returns>How many instances were purged: 0 when the instance is unknown or still running.</returns>
    public async Task<int> PurgeInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        // The children are known from the parent's history, so read it before it is deleted.
        var history = await queries.GetHistoryAsync(instanceId, cancellationToken).ConfigureAwait(false);
        if (!await queries.PurgeInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false))
            return 0;
        var purged = 1;
        foreach (var childId in history.OfType<SubOrchestrationInstanceCreatedEvent>().Select(e => e.InstanceId).Distinct(StringComparer.Ordinal))
        {
            var child = await queries.GetInstanceAsync(childId, includePayloads: false, cancellationToken).ConfigureAwait(false);
            if (child?.ParentInstanceId == instanceId)
                purged += await PurgeInstanceAsync(childId, cancellationToken).ConfigureAwait(false);
        }
        return purged;
    }

    /// <summary>The current execution's history (diagnostics, tests).</summary>
    public Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string instanceId, CancellationToken cancellationToken = default) =>
        queries.GetHistoryAsync(instanceId, cancellationToken);

    private DateTime Now => _time.GetUtcNow().UtcDateTime;
}
