using Azure.Storage.Blobs;
using Serverless.Drops;
using Serverless.Drops.Watching;
using Serverless.Jobs.Configuration;
using Serverless.Storage;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// Drops state stays bounded (issue 25 item 15): behind the location's watermark, objects are listed
/// but neither judged (no receipt read or claim) nor remembered, their settled receipts expire in
/// bounded sweeps, a restarted worker reads only the receipts inside the window, and a new object
/// (or one inside the window but older than the watermark) is still picked up. Real Blob listings
/// and receipts on Azurite, through the watcher's own scanner.
/// </summary>
public sealed class DropStateBoundsTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly DropOptions Options = new()
    {
        WatermarkWindow = TimeSpan.FromSeconds(1),
        SettledReceiptRetention = TimeSpan.FromMilliseconds(1),
        SweepBatch = 25,
        IoConcurrency = 4,
    };

    [Fact]
    public async Task Objects_behind_the_watermark_are_not_judged_remembered_or_kept_and_new_ones_are_picked_up()
    {
        var run = await RunAsync();
        var old = Enumerable.Range(0, 40).Select(i => $"in/old-{i:D2}.jpg").ToArray();
        foreach (var key in old)
            await run.UploadAsync(key);
        // Later than the window (listings give whole seconds): the old ones then lie before the watermark less the window.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await run.UploadAsync("in/recent.jpg");

        Assert.Equal(41, (await run.ScanAsync()).Count);
        Assert.Equal(await run.LastModifiedAsync("in/recent.jpg"), run.Watermark.Mark);
        // One bounded sweep: at most SweepBatch of the 40 expired receipts went.
        Assert.InRange(await run.ReceiptCountAsync(), 41 - Options.SweepBatch, 41);

        run.Store.Reset();
        Assert.Empty(await run.ScanAsync());
        Assert.Equal(0, run.Store.Judged);
        Assert.Equal(1, run.Tracker.Remembered);
        // The second sweep took the rest; the receipt inside the window stays.
        Assert.Equal(1, await run.ReceiptCountAsync());

        // A new object is still judged.
        await run.UploadAsync("in/new.jpg");
        Assert.Equal(["in/new.jpg"], await run.ScanAsync());
        Assert.Equal(1, run.Store.Judged);
        Assert.Equal(2, run.Tracker.Remembered);

        // A worker that starts now reads the receipts inside the window only.
        var restarted = new DropWatermark(run.Store, run.Location, Options, TimeProvider.System);
        await restarted.LoadAsync(CancellationToken.None);
        var remembered = new List<string>();
        await foreach (var receipt in restarted.ReceiptsToRememberAsync(CancellationToken.None))
            remembered.Add(receipt.Key);
        // (in/recent.jpg too while it is inside the window: how long the upload above took decides.)
        Assert.Contains("in/new.jpg", remembered);
        Assert.All(remembered, key => Assert.Contains(key, new[] { "in/new.jpg", "in/recent.jpg" }));
    }

    [Fact]
    public async Task An_open_object_holds_the_watermark_below_it_until_it_settles()
    {
        var run = await RunAsync();
        await run.UploadAsync("in/a.jpg");
        await Task.Delay(TimeSpan.FromMilliseconds(50));
        await run.UploadAsync("in/b.jpg");
        run.Defer = "in/a.jpg";

        Assert.Equal(["in/b.jpg"], await run.ScanAsync());
        var a = await run.LastModifiedAsync("in/a.jpg");
        Assert.Equal(a.AddTicks(-1), run.Watermark.Mark);
        Assert.Equal(a.AddTicks(-1), await run.Store.GetWatermarkAsync(run.Location));

        run.Defer = null;
        Assert.Equal(["in/a.jpg"], await run.ScanAsync());
        Assert.Equal(await run.LastModifiedAsync("in/b.jpg"), run.Watermark.Mark);
    }

    private async Task<Run> RunAsync()
    {
        var hub = "Bounds" + Guid.NewGuid().ToString("N")[..6];
        var account = TaskHubAccount.FromConnectionString(azurite.ConnectionString);
        var store = new CountingReceiptStore(TableDropReceiptStore.Create(account, hub));
        await store.InitializeAsync();
        var container = account.Container("bounds-" + Guid.NewGuid().ToString("N")[..8]);
        await container.CreateIfNotExistsAsync();
        var source = SourceUri.Parse($"azblob://{container.Name}/in/");
        var connections = new StorageConnections { Blob = new BlobSettings { ConnectionString = azurite.ConnectionString } };
        return new Run(store, container, source.ToString(), VersionListerFactory.Create(source, connections));
    }

    private sealed class Run
    {
        private readonly DropClaims claims;
        private readonly DropScanner scanner;

        public Run(CountingReceiptStore store, BlobContainerClient container, string location, IVersionLister lister)
        {
            (Store, Container, Location) = (store, container, location);
            claims = new DropClaims(store, Options, "worker-1", TimeProvider.System);
            Watermark = new DropWatermark(store, location, Options, TimeProvider.System);
            scanner = new DropScanner(location, lister, new ExtensionFilterView(StorageConnections.DefaultImageExtensions), Tracker, Watermark, claims, Options, batchSize: 16);
        }

        public CountingReceiptStore Store { get; }
        public BlobContainerClient Container { get; }
        public string Location { get; }
        public VersionTracker Tracker { get; } = new();
        public DropWatermark Watermark { get; }

        /// <summary>A key whose claim this worker gives back (as a failed attempt does): it stays open.</summary>
        public string? Defer { get; set; }

        public Task UploadAsync(string key) => Container.GetBlobClient(key).UploadAsync(BinaryData.FromString(key), overwrite: true);

        public async Task<DateTimeOffset> LastModifiedAsync(string key) => (await Container.GetBlobClient(key).GetPropertiesAsync()).Value.LastModified;

        public async Task<int> ReceiptCountAsync()
        {
            var count = 0;
            await foreach (var _ in Store.Inner.ListAsync(Location))
                count++;
            return count;
        }

        /// <summary>One listing, as the watcher runs it; the keys claimed (each completed at once, but <see cref="Defer"/>).</summary>
        public async Task<IReadOnlyList<string>> ScanAsync()
        {
            var claimed = new List<string>();
            await scanner.ScanAsync(async (version, result, _, cancellationToken) =>
            {
                switch (result.Outcome)
                {
                    case ClaimOutcome.Claimed when version.Key == Defer:
                        await claims.ReleaseAsync(result.Receipt!, cancellationToken);
                        // Due again at the next listing, open until then.
                        Tracker.Defer(version, DateTimeOffset.UtcNow);
                        break;
                    case ClaimOutcome.Claimed:
                        claimed.Add(version.Key);
                        await claims.CompleteAsync(result.Receipt!, null, cancellationToken);
                        Tracker.Settle(version);
                        break;
                    case ClaimOutcome.Settled:
                        Tracker.Settle(version);
                        break;
                    default:
                        Tracker.Defer(version, result.RetryAfter);
                        break;
                }
            }, CancellationToken.None);
            return claimed;
        }
    }

    /// <summary>The real store, counting the object versions judged (a receipt inserted or read for them).</summary>
    private sealed class CountingReceiptStore(IDropReceiptStore inner) : IDropReceiptStore
    {
        private int judged;

        public IDropReceiptStore Inner => inner;
        public int Judged => Volatile.Read(ref judged);
        public void Reset() => Volatile.Write(ref judged, 0);

        public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

        public Task<DropReceipt?> TryInsertAsync(DropReceipt receipt, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref judged);
            return inner.TryInsertAsync(receipt, cancellationToken);
        }

        public Task<IReadOnlyList<DropReceipt?>> TryInsertAllAsync(IReadOnlyList<DropReceipt> receipts, CancellationToken cancellationToken = default)
        {
            Interlocked.Add(ref judged, receipts.Count);
            return inner.TryInsertAllAsync(receipts, cancellationToken);
        }

        public Task<DropReceipt?> GetAsync(string location, ObjectVersion version, CancellationToken cancellationToken = default) => inner.GetAsync(location, version, cancellationToken);
        public Task<DropReceipt?> TryReplaceAsync(DropReceipt receipt, CancellationToken cancellationToken = default) => inner.TryReplaceAsync(receipt, cancellationToken);
        public Task<IReadOnlyList<DropReceipt?>> TryReplaceAllAsync(IReadOnlyList<DropReceipt> receipts, CancellationToken cancellationToken = default) => inner.TryReplaceAllAsync(receipts, cancellationToken);
        public Task<IReadOnlyList<string?>> MarkLatestClaimsAsync(IReadOnlyList<DropReceipt> claimed, CancellationToken cancellationToken = default) => inner.MarkLatestClaimsAsync(claimed, cancellationToken);
        public Task<IReadOnlyList<FencedReplace>> TryReplaceIfLatestClaimAsync(IReadOnlyList<DropReceipt> receipts, CancellationToken cancellationToken = default) => inner.TryReplaceIfLatestClaimAsync(receipts, cancellationToken);
        public IAsyncEnumerable<DropReceipt> ListAsync(string location, CancellationToken cancellationToken = default) => inner.ListAsync(location, cancellationToken);
        public IAsyncEnumerable<DropReceipt> ListModifiedSinceAsync(string location, DateTimeOffset modifiedSince, CancellationToken cancellationToken = default) => inner.ListModifiedSinceAsync(location, modifiedSince, cancellationToken);
        public Task<DateTimeOffset?> GetWatermarkAsync(string location, CancellationToken cancellationToken = default) => inner.GetWatermarkAsync(location, cancellationToken);
        public Task SetWatermarkAsync(string location, DateTimeOffset watermark, CancellationToken cancellationToken = default) => inner.SetWatermarkAsync(location, watermark, cancellationToken);
        public Task<int> DeleteSettledAsync(string location, DateTimeOffset settledBefore, DateTimeOffset modifiedBefore, int max, CancellationToken cancellationToken = default) =>
            inner.DeleteSettledAsync(location, settledBefore, modifiedBefore, max, cancellationToken);
    }
}
