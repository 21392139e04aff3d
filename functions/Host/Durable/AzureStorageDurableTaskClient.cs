using System.Diagnostics;
using System.Globalization;
using DurableTask.AzureStorage;
using DurableTask.Core;
using DurableTask.Core.History;
using DurableTask.Core.Tracing;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Core = DurableTask.Core;
using CoreQuery = DurableTask.Core.Query.OrchestrationQuery;

namespace Serverless.Host.Durable;

/// <summary>
/// The Durable Task client over DTFx's Azure Storage service, for the self-host's API (the feed
/// has no OrchestrationServiceClientShim package). Payloads are serialized here with the hub's
/// <see cref="DataConverter"/> and handed to DTFx as strings, so what the shims read is the JSON we
/// wrote (DTFx's own <c>TaskHubClient</c> would serialize with Newtonsoft). Scheduling an id that
/// exists, in any state, does nothing: a job id given by the caller runs once. A new instance
/// carries the trace context of the caller's span, or asks DTFx to start a trace of its own, as
/// <c>TaskHubClient</c> does: DTFx makes no orchestration or activity spans without one.
/// </summary>
public sealed class AzureStorageDurableTaskClient(AzureStorageOrchestrationService service, DataConverter converter) : DurableTaskClient("serverless")
{
    private static readonly Core.OrchestrationStatus[] EveryStatus = Enum.GetValues<Core.OrchestrationStatus>();

    /// <summary>Signal and read entities (the scheduler, <see cref="AzureStorageEntityClient"/>).</summary>
    public override Microsoft.DurableTask.Client.Entities.DurableEntityClient Entities { get; } = new AzureStorageEntityClient(service, converter);

    /// <inheritdoc/>
    public override async Task<string> ScheduleNewOrchestrationInstanceAsync(
        TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        var instance = new OrchestrationInstance
        {
            InstanceId = options?.InstanceId ?? Guid.NewGuid().ToString("N"),
            ExecutionId = Guid.NewGuid().ToString("N"),
        };
        var started = new ExecutionStartedEvent(-1, converter.Serialize(input))
        {
            Name = orchestratorName.Name,
            Version = options?.Version?.Version ?? string.Empty,
            OrchestrationInstance = instance,
            ScheduledStartTime = options?.StartAt?.UtcDateTime,
            Tags = new Dictionary<string, string>(options?.Tags ?? new Dictionary<string, string>())
            {
                [OrchestrationTags.RequestTime] = DateTimeOffset.UtcNow.ToString(CultureInfo.InvariantCulture),
            },
        };
        // A caller's span that is not recorded would make DTFx's spans children of a dropped trace.
        if (Activity.Current is { Recorded: true, Id: { } parent } current)
            started.ParentTraceContext = new DistributedTraceContext(parent, current.TraceStateString);
        else
            started.Tags[OrchestrationTags.CreateTraceForNewOrchestration] = "true";
        var dedupe = options?.DedupeStatuses is { Count: > 0 } statuses
            ? statuses.Select(s => Enum.Parse<Core.OrchestrationStatus>(s, ignoreCase: true)).ToArray()
            : EveryStatus;
        await service.CreateTaskOrchestrationAsync(new TaskMessage { OrchestrationInstance = instance, Event = started }, dedupe).ConfigureAwait(false);
        return instance.InstanceId;
    }

    /// <inheritdoc/>
    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default) =>
        SendAsync(instanceId, new EventRaisedEvent(-1, converter.Serialize(eventPayload)) { Name = eventName }, cancellation);

    /// <inheritdoc/>
    public override Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        return service.ForceTerminateTaskOrchestrationAsync(instanceId, converter.Serialize(options?.Output));
    }

    /// <inheritdoc/>
    public override Task RewindInstanceAsync(string instanceId, string reason, CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        return service.RewindTaskOrchestrationAsync(instanceId, reason);
    }

    /// <inheritdoc/>
    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        SendAsync(instanceId, new ExecutionSuspendedEvent(-1, reason), cancellation);

    /// <inheritdoc/>
    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        SendAsync(instanceId, new ExecutionResumedEvent(-1, reason), cancellation);

    /// <inheritdoc/>
    public override async Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        var states = await service.GetOrchestrationStateAsync(instanceId, allExecutions: false, fetchInput: getInputsAndOutputs).ConfigureAwait(false);
        return states is { Count: > 0 } ? ToMetadata(states[0], getInputsAndOutputs) : null;
    }

    /// <inheritdoc/>
    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) =>
        Pageable.Create(async (continuation, pageSize, cancellation) =>
        {
            var query = new CoreQuery
            {
                RuntimeStatus = filter?.Statuses?.Select(s => (Core.OrchestrationStatus)s).ToList(),
                CreatedTimeFrom = filter?.CreatedFrom?.UtcDateTime,
                CreatedTimeTo = filter?.CreatedTo?.UtcDateTime,
                InstanceIdPrefix = filter?.InstanceIdPrefix,
                PageSize = pageSize ?? filter?.PageSize ?? OrchestrationQuery.DefaultPageSize,
                ContinuationToken = continuation ?? filter?.ContinuationToken,
                FetchInputsAndOutputs = filter?.FetchInputsAndOutputs ?? false,
            };
            var result = await service.GetOrchestrationWithQueryAsync(query, cancellation).ConfigureAwait(false);
            return new Page<OrchestrationMetadata>(
                result.OrchestrationState.Select(s => ToMetadata(s, query.FetchInputsAndOutputs)).ToList(), result.ContinuationToken);
        });

    /// <inheritdoc/>
    public override async Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
    {
        while (true)
        {
            var metadata = await GetInstancesAsync(instanceId, getInputsAndOutputs, cancellation).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"instance '{instanceId}' does not exist");
            if (metadata.RuntimeStatus != OrchestrationRuntimeStatus.Pending)
                return metadata;
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellation).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override async Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            var metadata = await GetInstancesAsync(instanceId, getInputsAndOutputs, cancellation).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"instance '{instanceId}' does not exist");
            if (metadata.IsCompleted)
                return metadata;
            await Task.Delay(delay, cancellation).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
        }
    }

    /// <inheritdoc/>
    public override async Task<Microsoft.DurableTask.Client.PurgeResult> PurgeInstanceAsync(string instanceId, PurgeInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        var result = await ((IOrchestrationServicePurgeClient)service).PurgeInstanceStateAsync(instanceId).ConfigureAwait(false);
        return new Microsoft.DurableTask.Client.PurgeResult(result.DeletedInstanceCount);
    }

    /// <inheritdoc/>
    public override ValueTask DisposeAsync() => default;

    private Task SendAsync(string instanceId, HistoryEvent historyEvent, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        return service.SendTaskOrchestrationMessageAsync(new TaskMessage { OrchestrationInstance = new OrchestrationInstance { InstanceId = instanceId }, Event = historyEvent });
    }

    private OrchestrationMetadata ToMetadata(Core.OrchestrationState state, bool withPayloads) => new(state.Name, state.OrchestrationInstance.InstanceId)
    {
        DataConverter = withPayloads ? converter : null,
        RuntimeStatus = (OrchestrationRuntimeStatus)state.OrchestrationStatus,
        CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(state.CreatedTime, DateTimeKind.Utc)),
        LastUpdatedAt = new DateTimeOffset(DateTime.SpecifyKind(state.LastUpdatedTime, DateTimeKind.Utc)),
        SerializedInput = withPayloads ? state.Input : null,
        SerializedOutput = withPayloads ? state.Output : null,
        SerializedCustomStatus = state.Status,
        FailureDetails = state.FailureDetails is { } failure ? new TaskFailureDetails(failure.ErrorType, failure.ErrorMessage, failure.StackTrace, null, null)
            : state.OrchestrationStatus == Core.OrchestrationStatus.Failed ? FailureFromOutput(state.Output) : null,
    };

    /// <summary>
    /// The Azure Storage provider keeps a failed instance's failure in its history, and in its status
    /// row only as the output text "ErrorType: message" (no stack trace): read it back from there.
    /// </summary>
    private static TaskFailureDetails? FailureFromOutput(string? output)
    {
        if (string.IsNullOrEmpty(output))
            return null;
        var colon = output.IndexOf(": ", StringComparison.Ordinal);
        var type = colon > 0 ? output[..colon] : "";
        return type.Length > 0 && !type.Contains(' ', StringComparison.Ordinal)
            ? new TaskFailureDetails(type, output[(colon + 2)..], null, null, null)
            : new TaskFailureDetails("Exception", output, null, null, null);
    }
}
