using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace Serverless.Drops;

/// <summary>
/// Receipts in the task hub's storage account: table <c>{Hub}DropReceipts</c>, one partition per
/// watched location (hash of its URI), one row per object version (hash of key and ETag, since
/// keys may hold characters a RowKey may not). Inserts and ETag-fenced replaces make claims exclusive.
/// Beside them, one row per key (<c>key-</c> and the key's hash, sorting after every receipt) names
/// the key's latest claim.
/// </summary>
public sealed class TableDropReceiptStore(TableClient table) : IDropReceiptStore
{
    // A table transaction holds at most 100 operations, all in one partition.
    private const int MaxTransaction = 100;

    private static readonly string[] ListedColumns =
        ["Location", "Key", "ObjectETag", "Status", "Owner", "ClaimId", "PreviousClaimId", "ClaimedUntil", "Attempts", "Writes", "Reason", "JobId", "UpdatedAt", "ObjectModified"];

    /// <summary>The receipts of <paramref name="hubName"/> in the task hub's account.</summary>
    public static TableDropReceiptStore Create(Serverless.Jobs.Configuration.TaskHubAccount account, string hubName) =>
        new(account.Table(TableName(hubName)));

    public static string TableName(string hubName) => hubName + "DropReceipts";

    public static string PartitionKey(string location) => Hash(location);

    public static string RowKey(ObjectVersion version) => Hash(version.Key + "|" + version.ETag);

    /// <summary>The key's latest-claim row: after every receipt row (their keys are hex digits).</summary>
    public static string KeyRowKey(string key) => "key-" + Hash(key);

    /// <summary>The receipts of a location, without its key rows.</summary>
    public static string ReceiptsFilter(string location) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey(location)} and RowKey lt {"k"}");

    public async Task InitializeAsync(CancellationToken cancellationToken = default) =>
        await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);

    public async Task<DropReceipt?> TryInsertAsync(DropReceipt receipt, CancellationToken cancellationToken = default)
    {
        var entity = ToEntity(receipt);
        try
        {
            var response = await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return receipt with { Version = response.Headers.ETag?.ToString() };
        }
        catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.Conflict)
        {
            return null;
        }
    }

    public async Task<DropReceipt?> GetAsync(string location, ObjectVersion version, CancellationToken cancellationToken = default)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(PartitionKey(location), RowKey(version), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public async Task<DropReceipt?> TryReplaceAsync(DropReceipt receipt, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await table.UpdateEntityAsync(ToEntity(receipt), new ETag(receipt.Version!), TableUpdateMode.Replace, cancellationToken)
                .ConfigureAwait(false);
            return receipt with { Version = response.Headers.ETag?.ToString() };
        }
        catch (RequestFailedException ex) when (ex.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task<IReadOnlyList<DropReceipt?>> TryInsertAllAsync(IReadOnlyList<DropReceipt> receipts, CancellationToken cancellationToken = default) =>
        AllAsync(receipts, TableTransactionActionType.Add, TryInsertAsync, cancellationToken);

    public Task<IReadOnlyList<DropReceipt?>> TryReplaceAllAsync(IReadOnlyList<DropReceipt> receipts, CancellationToken cancellationToken = default) =>
        AllAsync(receipts, TableTransactionActionType.UpdateReplace, TryReplaceAsync, cancellationToken);

    /// <summary>One transaction per partition and 100 rows; when one row fails its fence, the others go one by one.</summary>
    private async Task<IReadOnlyList<DropReceipt?>> AllAsync(IReadOnlyList<DropReceipt> receipts, TableTransactionActionType type,
        Func<DropReceipt, CancellationToken, Task<DropReceipt?>> one, CancellationToken cancellationToken)
    {
        var stored = new DropReceipt?[receipts.Count];
        var indexed = receipts.Select((receipt, index) => (Receipt: receipt, Index: index));
        foreach (var chunk in indexed.GroupBy(x => PartitionKey(x.Receipt.Location)).SelectMany(g => g.Chunk(MaxTransaction)))
        {
            if (chunk.Length > 1 && await TrySubmitAsync(chunk, type, stored, cancellationToken).ConfigureAwait(false))
                continue;
            // A failed transaction changed nothing: each row on its own tells which one failed.
            foreach (var (receipt, index) in chunk)
                stored[index] = await one(receipt, cancellationToken).ConfigureAwait(false);
        }
        return stored;
    }

    private async Task<bool> TrySubmitAsync((DropReceipt Receipt, int Index)[] chunk, TableTransactionActionType type, DropReceipt?[] stored, CancellationToken cancellationToken)
    {
        var actions = chunk.Select(x => type == TableTransactionActionType.Add
            ? new TableTransactionAction(type, ToEntity(x.Receipt))
            : new TableTransactionAction(type, ToEntity(x.Receipt), new ETag(x.Receipt.Version!)));
        try
        {
            var responses = (await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false)).Value;
            for (var i = 0; i < chunk.Length; i++)
            {
                var etag = responses[i].Headers.ETag?.ToString()
                    ?? throw new InvalidOperationException("The table answered a transaction without the rows' new ETags.");
                stored[chunk[i].Index] = chunk[i].Receipt with { Version = etag };
            }
            return true;
        }
        catch (TableTransactionFailedException ex) when (ex.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.NotFound or (int)HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<string?>> MarkLatestClaimsAsync(IReadOnlyList<DropReceipt> claimed, CancellationToken cancellationToken = default)
    {
        var fences = new string?[claimed.Count];
        var once = claimed.Select((receipt, index) => (Receipt: receipt, Index: index))
            .GroupBy(x => (x.Receipt.Location, x.Receipt.Key)).Where(g => g.Count() == 1).Select(g => g.Single());
        foreach (var chunk in once.GroupBy(x => PartitionKey(x.Receipt.Location)).SelectMany(g => g.Chunk(MaxTransaction)))
        {
            var actions = chunk.Select(x => new TableTransactionAction(TableTransactionActionType.UpsertReplace, KeyEntity(x.Receipt)));
            var responses = (await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false)).Value;
            for (var i = 0; i < chunk.Length; i++)
                fences[chunk[i].Index] = responses[i].Headers.ETag?.ToString();
        }
        return fences;
    }

    public async Task<IReadOnlyList<FencedReplace>> TryReplaceIfLatestClaimAsync(IReadOnlyList<DropReceipt> receipts, CancellationToken cancellationToken = default)
    {
        var outcomes = Enumerable.Repeat(FencedReplace.Unchecked, receipts.Count).ToArray();
        var indexed = receipts.Select((receipt, index) => (Receipt: receipt, Index: index)).Where(x => x.Receipt.KeyFence is not null);
        // Two rows per receipt: itself, and its key row touched under the fence (which moves the key row's
        // version, so a claim of another version of the key that is still running checks in turn).
        foreach (var chunk in indexed.GroupBy(x => PartitionKey(x.Receipt.Location)).SelectMany(g => g.Chunk(MaxTransaction / 2)))
        {
            if (chunk.DistinctBy(x => x.Receipt.Key).Count() < chunk.Length)
                continue; // one transaction cannot touch a key row twice: these take the unfenced way
            var actions = chunk.SelectMany(x => new[]
            {
                new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToEntity(x.Receipt), new ETag(x.Receipt.Version!)),
                new TableTransactionAction(TableTransactionActionType.UpdateMerge,
                    new TableEntity(PartitionKey(x.Receipt.Location), KeyRowKey(x.Receipt.Key)) { ["CheckedAt"] = x.Receipt.UpdatedAt },
                    new ETag(x.Receipt.KeyFence!)),
            });
            try
            {
                var responses = (await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false)).Value;
                for (var i = 0; i < chunk.Length; i++)
                    outcomes[chunk[i].Index] = new FencedReplace(chunk[i].Receipt with { Version = responses[2 * i].Headers.ETag?.ToString() });
            }
            catch (TableTransactionFailedException ex) when (ex.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.NotFound)
            {
            }
        }
        return outcomes;
    }

    public async IAsyncEnumerable<DropReceipt> ListAsync(string location, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = ReceiptsFilter(location);
        // The watermark needs no result JSON: leaving it out keeps a large location's start cheap.
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, select: ListedColumns, cancellationToken: cancellationToken).ConfigureAwait(false))
            yield return FromEntity(entity);
    }

    public async IAsyncEnumerable<DropReceipt> ListModifiedSinceAsync(string location, DateTimeOffset modifiedSince, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey(location)} and RowKey lt {"k"} and ObjectModified ge {modifiedSince}");
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, select: ListedColumns, cancellationToken: cancellationToken).ConfigureAwait(false))
            yield return FromEntity(entity);
    }

    public async Task<DateTimeOffset?> GetWatermarkAsync(string location, CancellationToken cancellationToken = default)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(PartitionKey(location), WatermarkRowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue ? row.Value!.GetDateTimeOffset(WatermarkColumn) : null;
    }

    public async Task SetWatermarkAsync(string location, DateTimeOffset watermark, CancellationToken cancellationToken = default)
    {
        // Read-compare-replace with the row's ETag: two workers raising it together keep the higher mark.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(PartitionKey(location), WatermarkRowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            try
            {
                if (!row.HasValue)
                {
                    await table.AddEntityAsync(new TableEntity(PartitionKey(location), WatermarkRowKey) { [WatermarkColumn] = watermark }, cancellationToken).ConfigureAwait(false);
                    return;
                }
                if (row.Value!.GetDateTimeOffset(WatermarkColumn) >= watermark)
                    return;
                row.Value[WatermarkColumn] = watermark;
                await table.UpdateEntityAsync(row.Value, row.Value.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is (int)HttpStatusCode.Conflict or (int)HttpStatusCode.PreconditionFailed)
            {
            }
        }
    }

    public async Task<int> DeleteSettledAsync(string location, DateTimeOffset settledBefore, DateTimeOffset modifiedBefore, int max, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {PartitionKey(location)} and RowKey lt {"k"} and UpdatedAt lt {settledBefore} and ObjectModified lt {modifiedBefore} and (Status eq {ReceiptStatus.Done} or Status eq {ReceiptStatus.Poison})");
        var expired = new List<TableEntity>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(max, 1000), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            expired.Add(entity);
            if (expired.Count >= max)
                break;
        }
        foreach (var chunk in expired.Chunk(MaxTransaction))
        {
            try
            {
                await table.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, ETag.All)), cancellationToken).ConfigureAwait(false);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == (int)HttpStatusCode.NotFound)
            {
                // Another worker's sweep took some first: the rest one by one.
                foreach (var e in chunk)
                    await table.DeleteEntityAsync(e.PartitionKey, e.RowKey, ETag.All, cancellationToken).ConfigureAwait(false);
            }
        }
        return expired.Count;
    }

    // After the receipts (hex) and the key rows ("key-..."): listing receipts (RowKey lt "k") never sees it.
    private const string WatermarkRowKey = "watermark";
    private const string WatermarkColumn = "Watermark";

    private static TableEntity ToEntity(DropReceipt r) => new(PartitionKey(r.Location), RowKey(r.Object))
    {
        ["Location"] = r.Location,
        ["Key"] = r.Key,
        ["ObjectETag"] = r.ObjectETag,
        ["Status"] = r.Status,
        ["Owner"] = r.Owner,
        ["ClaimId"] = r.ClaimId,
        ["PreviousClaimId"] = r.PreviousClaimId,
        ["ClaimedUntil"] = r.ClaimedUntil,
        ["Attempts"] = r.Attempts,
        ["Writes"] = r.Writes,
        ["Result"] = r.Result,
        ["Reason"] = r.Reason is { Length: > 4000 } reason ? reason[..4000] : r.Reason,
        ["JobId"] = r.JobId,
        ["UpdatedAt"] = r.UpdatedAt,
        ["ObjectModified"] = r.ObjectModified,
    };

    private static TableEntity KeyEntity(DropReceipt r) => new(PartitionKey(r.Location), KeyRowKey(r.Key))
    {
        ["Key"] = r.Key,
        ["LatestETag"] = r.ObjectETag,
        ["LatestClaimId"] = r.ClaimId,
        ["ClaimedAt"] = r.UpdatedAt,
    };

    public static DropReceipt FromEntity(TableEntity e) => new()
    {
        Location = e.GetString("Location"),
        Key = e.GetString("Key"),
        ObjectETag = e.GetString("ObjectETag"),
        Status = e.GetString("Status"),
        Owner = e.GetString("Owner"),
        ClaimId = e.GetString("ClaimId"),
        PreviousClaimId = e.GetString("PreviousClaimId"),
        ClaimedUntil = e.GetDateTimeOffset("ClaimedUntil") ?? DateTimeOffset.MinValue,
        Attempts = e.GetInt32("Attempts") ?? 0,
        Writes = e.GetInt32("Writes") ?? 0,
        Result = e.GetBinary("Result"),
        Reason = e.GetString("Reason"),
        JobId = e.GetString("JobId"),
        UpdatedAt = e.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue,
        ObjectModified = e.GetDateTimeOffset("ObjectModified"),
        Version = e.ETag.ToString(),
    };

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
}
