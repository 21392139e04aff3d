using Azure;
using Azure.Data.Tables;
using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>
/// The Instances table: one status row per instance (partition key = escaped instance id),
/// a projection of the history sentinel for queries and listings. Each row records the turn
/// it reflects, so a row that lags its history (a crash between the two writes) is detected
/// and rebuilt from the sentinel.
/// </summary>
internal sealed class InstanceStore(TableClient table, InstanceStateCodec codec)
{
    public TableClient Table => table;

    public async Task<TableEntity?> ReadRowAsync(string instanceId, bool includePayloads, CancellationToken cancellationToken)
    {
        var select = includePayloads ? null : SelectWithoutPayloads;
        var response = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(instanceId), TableKeys.InstanceRow, select, cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>Writes the row from the sentinel's state properties, tagged with the sentinel's turn.</summary>
    public async Task UpsertFromSentinelAsync(TableEntity sentinel, CancellationToken cancellationToken)
    {
        var row = new TableEntity(sentinel.PartitionKey, TableKeys.InstanceRow);
        InstanceStateCodec.CopyState(sentinel, row);
        row["Turn"] = sentinel.GetInt64("Turn") ?? 0;
        await table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes a Pending row unless an active (Pending or Running) instance of that id exists.
    /// A terminal instance's row is replaced. Returns false when an active one exists.
    /// </summary>
    public async Task<bool> TryCreatePendingAsync(OrchestrationState state, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var existing = await ReadRowAsync(state.InstanceId, includePayloads: false, cancellationToken).ConfigureAwait(false);
            if (existing is not null && !Enum.Parse<OrchestrationRuntimeStatus>(existing.GetString("RuntimeStatus") ?? "Pending").IsTerminal())
                return false;
            var row = new TableEntity(TableKeys.Escape(state.InstanceId), TableKeys.InstanceRow);
            await codec.WriteAsync(row, state, cancellationToken).ConfigureAwait(false);
            row["Turn"] = existing?.GetInt64("Turn") ?? 0L;
            try
            {
                if (existing is null)
                    await table.AddEntityAsync(row, cancellationToken).ConfigureAwait(false);
                else
                    await table.UpdateEntityAsync(row, existing.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < 5)
            {
                // Raced with another writer: look again.
            }
        }
    }

    /// <summary>True when an Instances row of that id exists and is Pending with that execution (a create that may not have sent its message).</summary>
    public async Task<bool> IsPendingExecutionAsync(string instanceId, string executionId, CancellationToken cancellationToken)
    {
        var row = await ReadRowAsync(instanceId, includePayloads: false, cancellationToken).ConfigureAwait(false);
        return row is not null && row.GetString("ExecutionId") == executionId && row.GetString("RuntimeStatus") == nameof(OrchestrationRuntimeStatus.Pending);
    }

    public async Task<InstancePage> ListAsync(InstanceQuery query, CancellationToken cancellationToken)
    {
        var filters = new List<string>();
        if (query.RuntimeStatuses is { Count: > 0 } statuses)
            filters.Add("(" + string.Join(" or ", statuses.Select(s => TableClient.CreateQueryFilter($"RuntimeStatus eq {s.ToString()}"))) + ")");
        if (query.CreatedFrom is { } from)
            filters.Add(TableClient.CreateQueryFilter($"CreatedAt ge {new DateTimeOffset(DateTime.SpecifyKind(from, DateTimeKind.Utc))}"));
        if (query.CreatedTo is { } to)
            filters.Add(TableClient.CreateQueryFilter($"CreatedAt lt {new DateTimeOffset(DateTime.SpecifyKind(to, DateTimeKind.Utc))}"));
        if (!string.IsNullOrEmpty(query.InstanceIdPrefix))
        {
            var prefix = TableKeys.Escape(query.InstanceIdPrefix);
            filters.Add(TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {TableKeys.PrefixUpperBound(prefix)}"));
        }
        var filter = filters.Count == 0 ? null : string.Join(" and ", filters);
        var select = query.FetchInputsAndOutputs ? null : SelectWithoutPayloads;
        var pageSize = Math.Clamp(query.PageSize, 1, 1000);
        await foreach (var page in table.QueryAsync<TableEntity>(filter, pageSize, select, cancellationToken).AsPages(query.ContinuationToken, pageSize).ConfigureAwait(false))
        {
            var states = new List<OrchestrationState>(page.Values.Count);
            foreach (var row in page.Values)
            {
                if (await codec.ReadAsync(row, query.FetchInputsAndOutputs, cancellationToken).ConfigureAwait(false) is { } state)
                    states.Add(state);
            }
            return new InstancePage(states, page.ContinuationToken);
        }
        return new InstancePage([], null);
    }

    public Task DeleteAsync(string instanceId, CancellationToken cancellationToken) =>
        table.DeleteEntityAsync(TableKeys.Escape(instanceId), TableKeys.InstanceRow, ETag.All, cancellationToken);

    private static readonly string[] SelectWithoutPayloads =
        [.. InstanceStateCodec.MetadataProperties, .. InstanceStateCodec.AlwaysReadPayloadProperties, .. InstanceStateCodec.AlwaysReadPayloadProperties.Select(p => p + LargePayloadStore.BlobSuffix)];
}
