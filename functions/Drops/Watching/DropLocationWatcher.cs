using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Serverless.Drops;
using Serverless.Inference;
using Serverless.Storage.Results;
using Serverless.Storage;
using Serverless.Jobs;

namespace Serverless.Drops.Watching;

/// <summary>
/// Watches one image prefix: lists it, claims each new object version, groups claimed versions
/// into micro-batches (<see cref="MicroBatcher{T}"/>) and hands each to the
/// <see cref="DropBatchProcessor"/>, which classifies it and writes one result per image. At
/// shutdown the batches in hand are finished and the claims not started are released.
/// </summary>
internal sealed class DropLocationWatcher
{
    // One batch is read and classified at a time (both use every core), while the results of the one
    // before are written; two at once, as a job's two activities, only delayed each batch (measured).
    private const int BatchesInFlight = 1;

    private readonly DropLocationOptions location;
    private readonly DropOptions options;
    private readonly DropClaims claims;
    private readonly JobResources resources;
    private readonly ILogger logger;
    private readonly SourceUri sourceUri;
    private readonly IVersionLister lister;
    private readonly ExtensionFilterView filter;
    private readonly VersionTracker tracker = new();
    private readonly Channel<DropReceipt> claimed;
    private readonly SemaphoreSlim scanNow = new(0);
    private readonly DropSignals signals;
    private readonly DropBatchProcessor processor;
    private readonly DropWatermark watermark;
    private readonly DropScanner scanner;

    public DropLocationWatcher(DropLocationOptions location, DropOptions options, DropClaims claims, JobResources resources, DropSignals signals, ILogger logger)
    {
        this.signals = signals;
        this.location = location;
        this.options = options;
        this.claims = claims;
        this.resources = resources;
        this.logger = logger;
        sourceUri = SourceUri.Parse(location.Source);
        lister = VersionListerFactory.Create(sourceUri, resources.Connections);
        filter = new ExtensionFilterView(resources.Connections.ImageExtensions);
        processor = new DropBatchProcessor(location, options, claims, resources, tracker, logger);
        watermark = new DropWatermark(claims.Store, Location, options, TimeProvider.System);
        scanner = new DropScanner(Location, lister, filter, tracker, watermark, claims, options, location.BatchSize);
        // Claim at most two batches ahead, so a second worker gets its share and no claim waits long.
        claimed = Channel.CreateBounded<DropReceipt>(Math.Max(2, location.BatchSize * 2));
    }

    public string Location => sourceUri.ToString();

    /// <summary>Asks for a listing now (a push notification arrived).</summary>
    public void Poke()
    {
        // One pending wake-up is enough: the next listing sees everything.
        if (scanNow.CurrentCount == 0)
            scanNow.Release();
    }

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        // The settled versions inside the watermark's window (every receipt before the first complete
        // listing), at most what the tracker remembers (the first listing forgets what is gone).
        await watermark.LoadAsync(stoppingToken).ConfigureAwait(false);
        var seeded = 0;
        await foreach (var receipt in watermark.ReceiptsToRememberAsync(stoppingToken).ConfigureAwait(false))
        {
            if (ReceiptStatus.IsFinal(receipt.Status))
                tracker.Settle(receipt.Object);
            if (++seeded >= tracker.MaxRemembered)
                break;
        }
        signals.Register(sourceUri, Poke);
        // Load the model and run one full batch now, not with the first drop: the first result should
        // wait for neither the load nor the session's first run (which sizes its memory).
        var warming = Task.Run(async () =>
        {
            try
            {
                using var lease = resources.Classifier(location.Model, location.Preset, location.BatchSize, location.Top);
                var classifier = lease.Classifier;
                var image = WarmUpImage();
                await classifier.ClassifyAsync(Enumerable.Range(0, classifier.BatchSize).Select(i => new ImageInput($"warm-up-{i}", image)).ToArray(), stoppingToken)
                    .ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "The model of {Location} did not load; drops there will fail until it does", Location);
            }
        }, CancellationToken.None);
        logger.LogInformation("Watching {Location} for drops ({Settled} versions already settled, watermark {Watermark})", Location, tracker.Settled,
            watermark.Mark?.ToString("o") ?? "none yet");
        var scanning = ScanLoopAsync(stoppingToken);
        await warming.ConfigureAwait(false);
        await BatchLoopAsync(stoppingToken).ConfigureAwait(false);
        await scanning.ConfigureAwait(false);
        // The scanner has stopped: hand back what it claimed but nobody processed.
        while (claimed.Reader.TryRead(out var left))
            await claims.ReleaseAsync(left, CancellationToken.None).ConfigureAwait(false);
    }

    private async Task ScanLoopAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                var foundNew = true;
                try
                {
                    foundNew = await ScanAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Listing {Location} failed; trying again", Location);
                }
                var delay = ListingPace.Delay(options.PollInterval, Stopwatch.GetElapsedTime(started), foundNew);
                await scanNow.WaitAsync(delay, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            claimed.Writer.TryComplete();
        }
    }

    /// <summary>Lists the location once (inside the watermark's window) and claims what is new; whether anything was.</summary>
    private Task<bool> ScanAsync(CancellationToken stoppingToken) => scanner.ScanAsync(TakeAsync, stoppingToken);

    /// <summary>Hands a claimed version to the batches (waiting for room), or notes when to look at it again.</summary>
    private async Task TakeAsync(ObjectVersion version, ClaimResult result, IEnumerable<ClaimResult> later, CancellationToken stoppingToken)
    {
        switch (result.Outcome)
        {
            case ClaimOutcome.Claimed:
                tracker.Own(version);
                try
                {
                    await claimed.Writer.WriteAsync(result.Receipt!, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
                {
                    // Stopping: this claim and the rest of its chunk go back unprocessed.
                    foreach (var left in later.Prepend(result).Where(r => r.Outcome == ClaimOutcome.Claimed))
                        await claims.ReleaseAsync(left.Receipt!, CancellationToken.None).ConfigureAwait(false);
                    throw;
                }
                break;
            case ClaimOutcome.Settled:
                tracker.Settle(version);
                if (result.PoisonedNow)
                    await processor.WritePoisonAsync(result.Receipt!).ConfigureAwait(false);
                break;
            default:
                tracker.Defer(version, result.RetryAfter);
                break;
        }
    }

    private Task BatchLoopAsync(CancellationToken stoppingToken) =>
        new MicroBatcher<DropReceipt>(claimed.Reader, location.BatchSize, location.MaxWaitMs, BatchesInFlight).RunAsync(processor.ProcessAsync, stoppingToken);

    /// <summary>A plain grey 64 x 64 PNG: an image every model's preprocessing accepts.</summary>
    private static byte[] WarmUpImage()
    {
        using var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(64, 64, SkiaSharp.SKColorType.Rgba8888, SkiaSharp.SKAlphaType.Opaque));
        bitmap.Erase(SkiaSharp.SKColors.Gray);
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
