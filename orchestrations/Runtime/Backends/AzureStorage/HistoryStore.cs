using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>
/// The History table: one partition per instance holding a row per event (h…), a row per
/// consumed message id (m…, the receive-side dedupe), the outbox of the last turn (o…, many
/// messages packed per row) and the
/// sentinel (s) whose ETag fences every write. A turn larger than one entity group transaction
/// (100 operations, 4 MiB) is written in several transactions, each of which also updates the
/// sentinel under If-Match, so a writer that lost the instance fails on its first write; only
/// the last transaction advances the sentinel's committed event count, which makes the turn
/// visible to readers all at once (rows past the count are ignored and later overwritten).
/// </summary>
internal sealed class HistoryStore(TableClient table, LargePayloadStore payloads)
{
    private const int MaxOperationsPerTransaction = 100;
    private const int MaxBytesPerTransaction = 3 * 1024 * 1024;
    private const int RowOverheadBytes = 512;
    private const int MaxOutboxRowBytes = 60 * 1024;

    public TableClient Table => table;

    /// <summary>Loads the partition; null when the instance has no stored history.</summary>
    public async Task<InstanceSnapshot?> LoadAsync(string instanceId, CancellationToken cancellationToken)
    {
        var partitionKey = TableKeys.Escape(instanceId);
        TableEntity? sentinel = null;
        var historyRows = new SortedDictionary<int, TableEntity>();
        var consumed = new Dictionary<string, string>();
        var outbox = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == partitionKey, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.RowKey == TableKeys.Sentinel)
                sentinel = row;
            else if (TableKeys.TryParseHistoryRow(row.RowKey, out var index))
                historyRows[index] = row;
            else if (row.RowKey.StartsWith(TableKeys.ConsumedPrefix, StringComparison.Ordinal))
                consumed[row.GetString("MessageId") ?? row.RowKey[1..]] = row.GetString("ExecutionId") ?? "";
            else if (row.RowKey.StartsWith(TableKeys.OutboxPrefix, StringComparison.Ordinal))
                outbox.Add(row);
        }
        if (sentinel is null)
            return null;

        var count = sentinel.GetInt32("HistoryCount") ?? 0;
        var events = new List<HistoryEvent>(count);
        for (var i = 0; i < count; i++)
        {
            if (!historyRows.TryGetValue(i, out var row))
                throw new InvalidOperationException($"History of '{instanceId}' is missing event {i} of {count}.");
            var json = await payloads.ReadPropertyAsync(row, "Event", cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"History row {row.RowKey} of '{instanceId}' has no event.");
            events.Add(HistoryJson.Deserialize<HistoryEvent>(json));
        }
        var outboxKey = sentinel.GetString("OutboxKey");
        var pendingPrefix = outboxKey is null ? null : TableKeys.OutboxPrefix + outboxKey + "-";
        return new InstanceSnapshot
        {
            ETag = sentinel.ETag.ToString(),
            Sentinel = sentinel,
            Events = events,
            ExecutionId = sentinel.GetString("ExecutionId"),
            Turn = sentinel.GetInt64("Turn") ?? 0,
            Consumed = consumed,
            PendingOutbox = outbox.Where(o => pendingPrefix is not null && o.RowKey.StartsWith(pendingPrefix, StringComparison.Ordinal)).OrderBy(o => o.RowKey, StringComparer.Ordinal).ToArray(),
            StaleRowKeys = outbox.Where(o => pendingPrefix is null || !o.RowKey.StartsWith(pendingPrefix, StringComparison.Ordinal)).Select(o => o.RowKey).ToArray(),
        };
    }

    /// <summary>Reads the sentinel row alone (null when the instance has no history).</summary>
    public async Task<TableEntity?> ReadSentinelAsync(string instanceId, CancellationToken cancellationToken)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(instanceId), TableKeys.Sentinel, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>Builds the rows of one turn's events, consumed ids and outbox.</summary>
    public async Task<List<TableEntity>> BuildRowsAsync(
        string instanceId, int startIndex, IReadOnlyList<HistoryEvent> events, string executionId,
        IEnumerable<string> consumedIds, string turnKey, IReadOnlyList<OutboxEntry> outbox, CancellationToken cancellationToken)
    {
        var partitionKey = TableKeys.Escape(instanceId);
        var rows = new List<TableEntity>(events.Count * 2 + outbox.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var row = new TableEntity(partitionKey, TableKeys.HistoryRow(startIndex + i)) { ["ExecutionId"] = executionId };
            await payloads.WritePropertyAsync(row, "Event", HistoryJson.Serialize<HistoryEvent>(events[i]), instanceId, cancellationToken).ConfigureAwait(false);
            rows.Add(row);
        }
        foreach (var id in consumedIds)
            rows.Add(new TableEntity(partitionKey, TableKeys.ConsumedRow(id)) { ["MessageId"] = id, ["ExecutionId"] = executionId });
        var outboxRows = 0;
        foreach (var (packed, single) in PackOutbox(outbox))
        {
            var row = new TableEntity(partitionKey, TableKeys.OutboxRow(turnKey, outboxRows++));
            if (packed is not null)
            {
                row["Entries"] = packed;
            }
            else
            {
                row["Queue"] = single!.Queue;
                row["Text"] = Encoding.UTF8.GetBytes(single.Text);
                if (single.VisibleAt is { } visibleAt)
                    row["VisibleAt"] = visibleAt;
                if (single.CreatesInstance is { } target)
                    row["CreatesInstance"] = target;
            }
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>
    /// Outbox entries packed as a JSON array into one binary property of at most 60 KiB (the
    /// table's limit is 64 KiB): a fan-out of thousands of activities writes tens of outbox rows,
    /// not thousands. An entry too large to pack (its JSON escaping grew it) gets a row of its own.
    /// </summary>
    private static IEnumerable<(byte[]? Packed, OutboxEntry? Single)> PackOutbox(IReadOnlyList<OutboxEntry> outbox)
    {
        var batch = new List<byte[]>();
        var bytes = 2;
        foreach (var entry in outbox)
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(entry, HistoryJson.Options);
            if (json.Length + 2 > MaxOutboxRowBytes)
            {
                yield return (null, entry);
                continue;
            }
            if (batch.Count > 0 && bytes + json.Length + 1 > MaxOutboxRowBytes)
            {
                yield return (Join(batch), null);
                batch = [];
                bytes = 2;
            }
            batch.Add(json);
            bytes += json.Length + 1;
        }
        if (batch.Count > 0)
            yield return (Join(batch), null);

        static byte[] Join(List<byte[]> items)
        {
            var buffer = new MemoryStream();
            buffer.WriteByte((byte)'[');
            for (var i = 0; i < items.Count; i++)
            {
                if (i > 0)
                    buffer.WriteByte((byte)',');
                buffer.Write(items[i]);
            }
            buffer.WriteByte((byte)']');
            return buffer.ToArray();
        }
    }

    /// <summary>The entries of an outbox row (packed, or one entry per row as older versions wrote).</summary>
    public static IReadOnlyList<OutboxEntry> ReadOutboxRow(TableEntity row)
    {
        if (row.GetBinary("Entries") is { } packed)
            return JsonSerializer.Deserialize<List<OutboxEntry>>(packed, HistoryJson.Options) ?? [];
        return [new OutboxEntry(row.GetString("Queue")!, Encoding.UTF8.GetString(row.GetBinary("Text")!), row.GetDateTimeOffset("VisibleAt"), row.GetString("CreatesInstance"))];
    }

    /// <summary>
    /// Writes <paramref name="rows"/> and deletes <paramref name="deleteRowKeys"/>, fenced by
    /// <paramref name="etag"/> (null: the sentinel must not exist yet), and finally replaces the
    /// sentinel with <paramref name="sentinel"/>. Returns the sentinel's new ETag. Throws
    /// <see cref="LockLostException"/> when the fence fails (another writer committed).
    /// </summary>
    public async Task<string> CommitAsync(string? etag, TableEntity sentinel, IReadOnlyList<TableEntity> rows, IReadOnlyList<string> deleteRowKeys, CancellationToken cancellationToken)
    {
        var operations = new List<(TableTransactionAction Action, int Bytes)>(rows.Count + deleteRowKeys.Count);
        foreach (var row in rows)
            operations.Add((new TableTransactionAction(TableTransactionActionType.UpsertReplace, row), EstimateBytes(row)));
        foreach (var rowKey in deleteRowKeys)
            operations.Add((new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(sentinel.PartitionKey, rowKey), ETag.All), RowOverheadBytes));

        var sentinelBytes = EstimateBytes(sentinel);
        var chunks = new List<List<TableTransactionAction>>();
        var current = new List<TableTransactionAction>();
        var currentBytes = sentinelBytes;
        foreach (var (action, bytes) in operations)
        {
            if (current.Count + 1 >= MaxOperationsPerTransaction || (current.Count > 0 && currentBytes + bytes > MaxBytesPerTransaction))
            {
                chunks.Add(current);
                current = [];
                currentBytes = sentinelBytes;
            }
            current.Add(action);
            currentBytes += bytes;
        }
        chunks.Add(current);

        var fence = etag;
        for (var i = 0; i < chunks.Count; i++)
        {
            var last = i == chunks.Count - 1;
            TableTransactionAction sentinelAction;
            if (last)
            {
                sentinelAction = fence is null
                    ? new TableTransactionAction(TableTransactionActionType.Add, sentinel)
                    : new TableTransactionAction(TableTransactionActionType.UpdateReplace, sentinel, new ETag(fence));
            }
            else
            {
                // An intermediate write moves the fence on without committing anything visible.
                var marker = new TableEntity(sentinel.PartitionKey, TableKeys.Sentinel) { ["Writing"] = sentinel.GetString("OutboxKey") ?? "" };
                sentinelAction = fence is null
                    ? new TableTransactionAction(TableTransactionActionType.Add, marker)
                    : new TableTransactionAction(TableTransactionActionType.UpdateMerge, marker, new ETag(fence));
            }
            List<TableTransactionAction> batch = [sentinelAction, .. chunks[i]];
            try
            {
                var response = await table.SubmitTransactionAsync(batch, cancellationToken).ConfigureAwait(false);
                fence = response.Value[0].Headers.ETag?.ToString()
                    ?? (await table.GetEntityAsync<TableEntity>(sentinel.PartitionKey, TableKeys.Sentinel, cancellationToken: cancellationToken).ConfigureAwait(false)).Value.ETag.ToString();
            }
            catch (TableTransactionFailedException e) when (e.Status is 404 or 409 or 412)
            {
                throw new LockLostException($"The history of '{sentinel.GetString("InstanceId") ?? sentinel.PartitionKey}' changed since it was loaded ({e.ErrorCode}); the turn was not committed.", e);
            }
        }
        return fence!;
    }

    /// <summary>Deletes rows without a fence: for outbox rows whose messages were sent (only their own turn deletes them).</summary>
    public async Task DeleteRowsAsync(string instanceId, IReadOnlyList<string> rowKeys, CancellationToken cancellationToken)
    {
        var partitionKey = TableKeys.Escape(instanceId);
        foreach (var chunk in rowKeys.Chunk(MaxOperationsPerTransaction))
        {
            var batch = chunk.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partitionKey, k), ETag.All)).ToList();
            try
            {
                await table.SubmitTransactionAsync(batch, cancellationToken).ConfigureAwait(false);
            }
            catch (TableTransactionFailedException e) when (e.Status == 404)
            {
                // Some were gone already: delete the rest one by one.
                foreach (var key in chunk)
                    await table.DeleteEntityAsync(partitionKey, key, ETag.All, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Deletes the whole partition of an instance (purge).</summary>
    public async Task<int> DeletePartitionAsync(string instanceId, CancellationToken cancellationToken)
    {
        var partitionKey = TableKeys.Escape(instanceId);
        var keys = new List<string>();
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == partitionKey, select: ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
            keys.Add(row.RowKey);
        await DeleteRowsAsync(instanceId, keys, cancellationToken).ConfigureAwait(false);
        return keys.Count;
    }

    private static int EstimateBytes(TableEntity entity)
    {
        var bytes = RowOverheadBytes;
        foreach (var value in ((IDictionary<string, object>)entity).Values)
        {
            bytes += value switch
            {
                byte[] b => b.Length * 4 / 3 + 64,
                string s => s.Length * 2 + 64,
                _ => 64,
            };
        }
        return bytes;
    }
}
