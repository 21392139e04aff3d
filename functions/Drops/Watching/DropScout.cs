using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Serverless.Storage;

using Serverless.Drops;

namespace Serverless.Drops.Watching;

/// <summary>
/// Wakes the workers for drops when none may be running (KEDA scales them to zero). Run by the
/// api role, which is always up: it lists each watched prefix as a worker would, but classifies
/// nothing; when a listed version has no settled receipt (done or poison) it puts one message on
/// the drop notification queue (<c>{hub}-drops</c>), on which KEDA has a trigger: a worker
/// starts, reads the message, lists and claims. It writes only while that queue is empty, so a
/// backlog that waits for a worker adds one message, not one per listing.
/// </summary>
internal sealed class DropScout
{
    private readonly IReadOnlyList<Location> locations;
    private readonly DropOptions options;
    private readonly IDropReceiptStore store;
    private readonly DropNotificationQueue queue;
    private readonly ILogger logger;

    public DropScout(DropOptions options, IDropReceiptStore store, DropNotificationQueue queue, StorageConnections connections, ILogger logger)
    {
        this.options = options;
        this.store = store;
        this.queue = queue;
        this.logger = logger;
        var images = new ExtensionFilterView(connections.ImageExtensions);
        locations = options.Locations.Select(l => new Location(SourceUri.Parse(l.Source), k => images.Accepts(k), connections, store, options))
            .Concat(options.Jobs.Select(j => new Location(SourceUri.Parse(j), DropNames.IsJobFile, connections, store, options)))
            .ToList();
    }

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        await store.InitializeAsync(stoppingToken).ConfigureAwait(false);
        await queue.Client.CreateIfNotExistsAsync(cancellationToken: stoppingToken).ConfigureAwait(false);
        logger.LogInformation("Scouting {Count} drop locations for the workers (queue {Queue})", locations.Count, queue.Client.Name);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                var woke = false;
                try
                {
                    woke = await ScanOnceAsync(stoppingToken).ConfigureAwait(false) > 0;
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Scouting the drop locations failed; trying again");
                }
                await Task.Delay(ListingPace.Delay(options.PollInterval, Stopwatch.GetElapsedTime(started), woke), stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Lists every location once; answers how many wake-up messages it queued (one per location at most).</summary>
    internal async Task<int> ScanOnceAsync(CancellationToken cancellationToken)
    {
        var queued = 0;
        foreach (var location in locations)
        {
            var waiting = await location.FirstUnsettledAsync(store, options.ListPageSize, cancellationToken).ConfigureAwait(false);
            if (waiting is null)
                continue;
            var properties = await queue.Client.GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
            if (properties.Value.ApproximateMessagesCount > 0)
                continue;
            await queue.EnqueueAsync([new DroppedObject(location.Uri.Kind, location.Uri.Container, waiting.Value.Key)], cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Drops wait under {Location} (first: {Key}): woke the workers", location.Uri, waiting.Value.Key);
            queued++;
        }
        return queued;
    }

    /// <summary>
    /// One watched prefix and the versions this scout knows to be settled there, inside the workers'
    /// watermark window (<see cref="DropWatermark"/>): what lies before it is settled (or its receipt
    /// expired) and neither wakes the workers nor stays in memory.
    /// </summary>
    private sealed class Location(SourceUri uri, Func<string, bool> accepts, StorageConnections connections, IDropReceiptStore store, DropOptions options)
    {
        private readonly IVersionLister lister = VersionListerFactory.Create(uri, connections);
        private readonly HashSet<ObjectVersion> settled = [];
        private readonly DropWatermark watermark = new(store, uri.ToString(), options, TimeProvider.System);

        public SourceUri Uri => uri;

        public async Task<ObjectVersion?> FirstUnsettledAsync(IDropReceiptStore store, int pageSize, CancellationToken cancellationToken)
        {
            // The workers raise it: read again each time (one row).
            await watermark.LoadAsync(cancellationToken).ConfigureAwait(false);
            if (watermark.Cutoff is { } cutoff)
                settled.RemoveWhere(v => v.Modified < cutoff);
            var unknown = new List<ObjectVersion>();
            await foreach (var page in lister.ListPagesAsync(pageSize, cancellationToken).ConfigureAwait(false))
                unknown.AddRange(page.Where(v => accepts(v.Key) && watermark.Judges(v) && !settled.Contains(v)));
            if (unknown.Count == 0)
                return null;
            // Only now read the receipts (one partition, inside the window): an idle prefix costs a listing, nothing more.
            await foreach (var receipt in watermark.ReceiptsToRememberAsync(cancellationToken).ConfigureAwait(false))
            {
                if (ReceiptStatus.IsFinal(receipt.Status))
                    settled.Add(receipt.Object);
            }
            return unknown.Where(v => !settled.Contains(v)).Select(v => (ObjectVersion?)v).FirstOrDefault();
        }
    }
}
