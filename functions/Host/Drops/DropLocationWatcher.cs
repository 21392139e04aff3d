using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Serverless.Activities;
using Serverless.Inference;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Host.Drops;

/// <summary>
/// Watches one image prefix: lists it, claims each new object version, groups claimed versions
/// into micro-batches (<see cref="MicroBatcher{T}"/>, two in flight), classifies a batch with the
/// process's warm classifier and writes one result per image (<see cref="DropResultWriter"/>). At
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
    private readonly DropResultWriter writer;
    private readonly DropVersionChecks checks;

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
        var results = resources.Results(location.Results);
        writer = new DropResultWriter(claims, lister, results, sourceUri, options.IoConcurrency);
        checks = new DropVersionChecks(sourceUri, lister, results);
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
        await foreach (var receipt in claims.Store.ListAsync(Location, stoppingToken).ConfigureAwait(false))
        {
            if (ReceiptStatus.IsFinal(receipt.Status))
                tracker.Settle(receipt.Object);
        }
        signals.Register(sourceUri, Poke);
        // Load the model and run one full batch now, not with the first drop: the first result should
        // wait for neither the load nor the session's first run (which sizes its memory).
        var warming = Task.Run(async () =>
        {
            try
            {
                var classifier = resources.Classifier(location.Model, location.Preset, location.BatchSize, location.Top);
                var image = Demo.SyntheticImages.Encode(SkiaSharp.SKColors.Gray, 64, 64, new Random(1), png: true);
                await classifier.ClassifyAsync(Enumerable.Range(0, classifier.BatchSize).Select(i => new ImageInput($"warm-up-{i}", image)).ToArray(), stoppingToken)
                    .ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "The model of {Location} did not load; drops there will fail until it does", Location);
            }
        }, CancellationToken.None);
        logger.LogInformation("Watching {Location} for drops ({Settled} versions already settled)", Location, tracker.Settled);
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

    /// <summary>Lists the location once and claims what is new; whether anything was.</summary>
    private async Task<bool> ScanAsync(CancellationToken stoppingToken)
    {
        var foundNew = false;
        await foreach (var page in lister.ListPagesAsync(options.ListPageSize, stoppingToken).ConfigureAwait(false))
        {
            var now = DateTimeOffset.UtcNow;
            var candidates = page.Where(v => filter.Accepts(v.Key) && tracker.ShouldLook(v, now)).ToArray();
            foundNew |= candidates.Length > 0;
            // A batch's worth of claims at a time, in one table transaction when they are all new.
            foreach (var chunk in candidates.Chunk(location.BatchSize))
            {
                // The claims themselves are not cancelled half-way: a claim stored but not seen would wait out its timeout.
                var results = await claims.TryClaimAllAsync(Location, chunk, options.IoConcurrency, CancellationToken.None).ConfigureAwait(false);
                for (var i = 0; i < chunk.Length; i++)
                    await TakeAsync(chunk[i], results[i], results.Skip(i + 1), stoppingToken).ConfigureAwait(false);
            }
        }
        return foundNew;
    }

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
                    await WritePoisonAsync(result.Receipt!).ConfigureAwait(false);
                break;
            default:
                tracker.Defer(version, result.RetryAfter);
                break;
        }
    }

    private Task BatchLoopAsync(CancellationToken stoppingToken) =>
        new MicroBatcher<DropReceipt>(claimed.Reader, location.BatchSize, location.MaxWaitMs, BatchesInFlight).RunAsync(ProcessBatchAsync, stoppingToken);

    /// <summary>Reads and classifies one batch; answers the task writing its results, which runs on while the next batch is classified.</summary>
    private async Task<Task> ProcessBatchAsync(List<DropReceipt> batch)
    {
        var ct = CancellationToken.None;
        var started = DateTime.UtcNow;
        var source = resources.Source(location.Source);
        var io = new ParallelOptions { MaxDegreeOfParallelism = options.IoConcurrency };

        // A claim retaken from a worker that died while writing: its result may have landed.
        var unsettled = new List<DropReceipt>();
        foreach (var receipt in batch)
        {
            if (receipt.PreviousClaimId is not null && await checks.PreviousWriteLandedAsync(receipt).ConfigureAwait(false))
                Settle(await writer.CompleteLandedAsync(receipt, ct).ConfigureAwait(false), receipt);
            else
                unsettled.Add(receipt);
        }

        var pending = unsettled.ToArray();
        var bytes = new byte[pending.Length][];
        await Parallel.ForAsync(0, pending.Length, io, async (i, token) =>
        {
            try
            {
                var read = await source.ReadAllBytesAsync(pending[i].Key, token).ConfigureAwait(false);
                var proven = checks.IsListedVersion(pending[i], read);
                if (!proven && await checks.IsSupersededAsync(pending[i], read, token).ConfigureAwait(false))
                {
                    Settle(await claims.CompleteAsync(pending[i], ReceiptStatus.SupersededReason, ct).ConfigureAwait(false), pending[i]);
                    return;
                }
                bytes[i] = read;
                // A key fence speaks for this version only when the bytes are known to be it.
                if (!proven)
                    pending[i] = pending[i] with { KeyFence = null };
            }
            catch (StorageException ex) when (ex.Kind == StorageErrorKind.ObjectNotFound)
            {
                // Deleted (or replaced) since it was listed: nothing to classify for this version.
                Settle(await claims.CompleteAsync(pending[i], "object no longer exists", ct).ConfigureAwait(false), pending[i]);
            }
            catch (Exception ex)
            {
                await FailAsync(pending[i], $"read failed: {ex.Message}").ConfigureAwait(false);
            }
        }).ConfigureAwait(false);

        var readable = Enumerable.Range(0, pending.Length).Where(i => bytes[i] is not null).Select(i => pending[i]).ToArray();
        if (readable.Length == 0)
            return Task.CompletedTask;
        IReadOnlyList<Prediction> predictions;
        try
        {
            var classifier = resources.Classifier(location.Model, location.Preset, location.BatchSize, location.Top);
            predictions = await classifier.ClassifyAsync(
                Enumerable.Range(0, pending.Length).Where(i => bytes[i] is not null).Select(i => new ImageInput(pending[i].Key, bytes[i])).ToArray(), ct).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            foreach (var receipt in readable)
                await FailAsync(receipt, $"classification failed: {ex.Message}").ConfigureAwait(false);
            return Task.CompletedTask;
        }

        var model = Path.GetFileName(location.Model);
        var results = readable.Select((receipt, n) =>
        {
            var row = PredictionRows.From(predictions[n]);
            return (receipt, new DropResult(receipt.Key, receipt.ObjectETag, row.Top, row.ErrorCode, row.ErrorMessage, model, receipt.ClaimId!, claims.Owner, DateTimeOffset.UtcNow));
        }).ToArray();
        return WriteAsync(batch.Count, readable, results, started);
    }

    private async Task WriteAsync(int batchCount, DropReceipt[] readable, (DropReceipt, DropResult)[] results, DateTime started)
    {
        var ct = CancellationToken.None;
        IReadOnlyList<DropWriteOutcome> outcomes;
        try
        {
            outcomes = await writer.WriteAsync(results, ct).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Counting the writes failed (nothing was written): the versions are tried again later.
            foreach (var receipt in readable)
                await FailAsync(receipt, $"result write failed: {ex.Message}").ConfigureAwait(false);
            return;
        }
        foreach (var outcome in outcomes)
        {
            if (outcome.Error is not null)
            {
                await FailAsync(outcome.Receipt, outcome.Error).ConfigureAwait(false);
                continue;
            }
            if (outcome.Stored is null)
                logger.LogWarning("Lost the claim on {Key} ({ETag}); another worker has it", outcome.Receipt.Key, outcome.Receipt.ObjectETag);
            Settle(outcome.Stored, outcome.Receipt);
        }
        logger.LogInformation("Drop batch of {Count} from {Location} in {Milliseconds:F0} ms", batchCount, Location, (DateTime.UtcNow - started).TotalMilliseconds);
    }

    private async Task FailAsync(DropReceipt receipt, string reason)
    {
        logger.LogWarning("Drop {Key} ({ETag}) attempt {Attempt} failed: {Reason}", receipt.Key, receipt.ObjectETag, receipt.Attempts, reason);
        // A version replaced meanwhile (s3rver lists objects mid-upload, whose reads then fail) is never
        // listed again, so a retry would never come: settle it, unless its result write had begun.
        if (receipt.Status == ReceiptStatus.Claimed && await checks.IsReplacedAsync(receipt, CancellationToken.None).ConfigureAwait(false))
        {
            Settle(await claims.CompleteAsync(receipt, ReceiptStatus.ReplacedReason, CancellationToken.None).ConfigureAwait(false), receipt);
            return;
        }
        var stored = await claims.FailAsync(receipt, reason, CancellationToken.None).ConfigureAwait(false);
        if (stored?.Status == ReceiptStatus.Poison)
        {
            tracker.Settle(receipt.Object);
            await WritePoisonAsync(stored).ConfigureAwait(false);
        }
        else
        {
            tracker.Defer(receipt.Object, stored?.ClaimedUntil ?? DateTimeOffset.UtcNow);
        }
    }

    private async Task WritePoisonAsync(DropReceipt poison)
    {
        logger.LogWarning("Drop {Key} ({ETag}) is poison: {Reason}", poison.Key, poison.ObjectETag, poison.Reason);
        try
        {
            await writer.WritePoisonAsync(poison, Path.GetFileName(location.Model), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The poison receipt stands either way; only the key's result still shows the version before.
            logger.LogWarning(ex, "Writing the poison result of {Key} ({ETag}) failed", poison.Key, poison.ObjectETag);
        }
    }

    private void Settle(DropReceipt? stored, DropReceipt receipt)
    {
        // A lost fence here means another worker retook the version after our claim expired; it settles it.
        if (stored is null)
            tracker.Defer(receipt.Object, DateTimeOffset.UtcNow + options.PollInterval);
        else
            tracker.Settle(receipt.Object);
    }
}
