using System.Runtime.CompilerServices;

namespace Serverless.Host.Drops;

/// <summary>Receipts for a single process without a task hub storage account (the in-memory backend's companion).</summary>
public sealed class InMemoryDropReceiptStore : IDropReceiptStore
{
    private readonly Dictionary<(string, string, string), DropReceipt> receipts = new();
    private readonly Dictionary<(string Location, string Key), string> latestClaims = new();
    private long version;

    public Task InitializeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<DropReceipt?> TryInsertAsync(DropReceipt receipt, CancellationToken cancellationToken = default)
    {
        lock (receipts)
        {
            var id = Id(receipt.Location, receipt.Object);
            if (receipts.ContainsKey(id))
                return Task.FromResult<DropReceipt?>(null);
            var stored = receipt with { Version = (++version).ToString() };
            receipts[id] = stored;
            return Task.FromResult<DropReceipt?>(stored);
        }
    }

    public Task<DropReceipt?> GetAsync(string location, ObjectVersion objectVersion, CancellationToken cancellationToken = default)
    {
        lock (receipts)
            return Task.FromResult(receipts.GetValueOrDefault(Id(location, objectVersion)));
    }

    public Task<DropReceipt?> TryReplaceAsync(DropReceipt receipt, CancellationToken cancellationToken = default)
    {
        lock (receipts)
        {
            var id = Id(receipt.Location, receipt.Object);
            if (!receipts.TryGetValue(id, out var current) || current.Version != receipt.Version)
                return Task.FromResult<DropReceipt?>(null);
            var stored = receipt with { Version = (++version).ToString() };
            receipts[id] = stored;
            return Task.FromResult<DropReceipt?>(stored);
        }
    }

    public async Task<IReadOnlyList<DropReceipt?>> TryInsertAllAsync(IReadOnlyList<DropReceipt> receipts, CancellationToken cancellationToken = default)
    {
        var stored = new DropReceipt?[receipts.Count];
        for (var i = 0; i < receipts.Count; i++)
            stored[i] = await TryInsertAsync(receipts[i], cancellationToken).ConfigureAwait(false);
        return stored;
    }

    public async Task<IReadOnlyList<DropReceipt?>> TryReplaceAllAsync(IReadOnlyList<DropReceipt> receipts, CancellationToken cancellationToken = default)
    {
        var stored = new DropReceipt?[receipts.Count];
        for (var i = 0; i < receipts.Count; i++)
            stored[i] = await TryReplaceAsync(receipts[i], cancellationToken).ConfigureAwait(false);
        return stored;
    }

    public Task<IReadOnlyList<string?>> MarkLatestClaimsAsync(IReadOnlyList<DropReceipt> claimed, CancellationToken cancellationToken = default)
    {
        lock (receipts)
        {
            var fences = claimed.Select(r => claimed.Count(o => o.Location == r.Location && o.Key == r.Key) == 1
                ? latestClaims[(r.Location, r.Key)] = (++version).ToString()
                : null).ToArray();
            return Task.FromResult<IReadOnlyList<string?>>(fences);
        }
    }

    /// <summary>All or nothing, as one table transaction.</summary>
    public Task<IReadOnlyList<FencedReplace>> TryReplaceIfLatestClaimAsync(IReadOnlyList<DropReceipt> receipts, CancellationToken cancellationToken = default)
    {
        lock (this.receipts)
        {
            var holds = receipts.DistinctBy(r => (r.Location, r.Key)).Count() == receipts.Count && receipts.All(r =>
                r.KeyFence is not null && latestClaims.GetValueOrDefault((r.Location, r.Key)) == r.KeyFence
                && this.receipts.TryGetValue(Id(r.Location, r.Object), out var current) && current.Version == r.Version);
            if (!holds)
                return Task.FromResult<IReadOnlyList<FencedReplace>>(receipts.Select(_ => FencedReplace.Unchecked).ToArray());
            var stored = receipts.Select(r =>
            {
                latestClaims[(r.Location, r.Key)] = (++version).ToString();
                return new FencedReplace(this.receipts[Id(r.Location, r.Object)] = r with { Version = (++version).ToString() });
            }).ToArray();
            return Task.FromResult<IReadOnlyList<FencedReplace>>(stored);
        }
    }

    public async IAsyncEnumerable<DropReceipt> ListAsync(string location, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        DropReceipt[] snapshot;
        lock (receipts)
            snapshot = receipts.Values.Where(r => r.Location == location).ToArray();
        foreach (var receipt in snapshot)
            yield return receipt;
        await Task.CompletedTask;
    }

    private static (string, string, string) Id(string location, ObjectVersion v) => (location, v.Key, v.ETag);
}
