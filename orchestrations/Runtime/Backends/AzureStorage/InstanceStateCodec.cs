using Azure.Data.Tables;
using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>
/// Writes an <see cref="OrchestrationState"/> into table properties and reads it back. The same
/// layout serves the Instances row and the history sentinel, so a lagging Instances row is
/// rebuilt by copying the sentinel's properties.
/// </summary>
internal sealed class InstanceStateCodec(LargePayloadStore payloads)
{
    /// <summary>Properties read even when payloads are not asked for.</summary>
    public static readonly string[] AlwaysReadPayloadProperties = ["CustomStatus", "Failure"];

    /// <summary>Properties that hold payloads (each may be offloaded to a blob).</summary>
    public static readonly string[] PayloadProperties = ["Input", "Output", "CustomStatus", "Failure"];

    /// <summary>Properties every listing needs (no payloads).</summary>
    public static readonly string[] MetadataProperties = ["InstanceId", "Name", "ExecutionId", "RuntimeStatus", "CreatedAt", "LastUpdatedAt", "ParentInstanceId", "Turn"];

    private static readonly DateTime MinTableDate = new(1601, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public async Task WriteAsync(TableEntity entity, OrchestrationState state, CancellationToken cancellationToken)
    {
        entity["InstanceId"] = state.InstanceId;
        entity["Name"] = state.Name;
        entity["ExecutionId"] = state.ExecutionId;
        entity["RuntimeStatus"] = state.RuntimeStatus.ToString();
        if (state.CreatedAt >= MinTableDate)
            entity["CreatedAt"] = new DateTimeOffset(DateTime.SpecifyKind(state.CreatedAt, DateTimeKind.Utc));
        if (state.LastUpdatedAt >= MinTableDate)
            entity["LastUpdatedAt"] = new DateTimeOffset(DateTime.SpecifyKind(state.LastUpdatedAt, DateTimeKind.Utc));
        if (state.ParentInstanceId is not null)
            entity["ParentInstanceId"] = state.ParentInstanceId;
        await payloads.WritePropertyAsync(entity, "Input", state.Input, state.InstanceId, cancellationToken).ConfigureAwait(false);
        await payloads.WritePropertyAsync(entity, "Output", state.Output, state.InstanceId, cancellationToken).ConfigureAwait(false);
        await payloads.WritePropertyAsync(entity, "CustomStatus", state.CustomStatus, state.InstanceId, cancellationToken).ConfigureAwait(false);
        var failure = state.FailureDetails is null ? null : HistoryJson.Serialize(state.FailureDetails);
        await payloads.WritePropertyAsync(entity, "Failure", failure, state.InstanceId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the state; null when the entity holds none (a sentinel written before any state).</summary>
    public async Task<OrchestrationState?> ReadAsync(TableEntity entity, bool includePayloads, CancellationToken cancellationToken)
    {
        if (entity.GetString("InstanceId") is not { } instanceId || entity.GetString("Name") is not { } name)
            return null;
        string? input = null, output = null;
        if (includePayloads)
        {
            input = await payloads.ReadPropertyAsync(entity, "Input", cancellationToken).ConfigureAwait(false);
            output = await payloads.ReadPropertyAsync(entity, "Output", cancellationToken).ConfigureAwait(false);
        }
        // Custom status (progress) and failure details are always read, as Durable Functions'
        // status query does: a status without its progress or its reason is of little use.
        var customStatus = await payloads.ReadPropertyAsync(entity, "CustomStatus", cancellationToken).ConfigureAwait(false);
        var failure = await payloads.ReadPropertyAsync(entity, "Failure", cancellationToken).ConfigureAwait(false);
        return new OrchestrationState
        {
            InstanceId = instanceId,
            Name = name,
            ExecutionId = entity.GetString("ExecutionId") ?? "",
            RuntimeStatus = Enum.Parse<OrchestrationRuntimeStatus>(entity.GetString("RuntimeStatus") ?? nameof(OrchestrationRuntimeStatus.Pending)),
            Input = input,
            Output = output,
            CustomStatus = customStatus,
            FailureDetails = failure is null ? null : HistoryJson.Deserialize<FailureDetails>(failure),
            CreatedAt = entity.GetDateTimeOffset("CreatedAt")?.UtcDateTime ?? default,
            LastUpdatedAt = entity.GetDateTimeOffset("LastUpdatedAt")?.UtcDateTime ?? default,
            ParentInstanceId = entity.GetString("ParentInstanceId"),
        };
    }

    /// <summary>Copies the state properties (and their blob references) from one entity to another.</summary>
    public static void CopyState(TableEntity from, TableEntity to)
    {
        foreach (var key in MetadataProperties.Concat(PayloadProperties).Concat(PayloadProperties.Select(p => p + LargePayloadStore.BlobSuffix)))
        {
            if (from.TryGetValue(key, out var value) && value is not null)
                to[key] = value;
        }
    }
}
