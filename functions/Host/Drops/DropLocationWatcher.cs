using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Serverless.Host.Activities;
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
    // As a job runs two classify activities at once: one batch is read and decoded while the other runs.
    private const int BatchesInFlight = 2;

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
    private readonly IResultStore results;
    private readonly DropResultWriter writer;

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
        results = resources.Results(location.Results);
        writer = new DropResultWriter(claims, lister, results, sourceUri, options.IoConcurrency);
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
        // Load the model now, not with the first drop: the first result should not wait for it.
        var warming = Task.Run(() =>
        {
            try
            {
                resources.Classifier(location.Model, location.Preset, location.BatchSize, location.Top);
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
                try
                {
                    await ScanAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Listing {Location} failed; trying again", Location);
                }
                await scanNow.WaitAsync(options.PollInterval, stoppingToken).ConfigureAwait(false);
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

    private async Task ScanAsync(CancellationToken stoppingToken)
    {
        await foreach (var page in lister.ListPagesAsync(options.ListPageSize, stoppingToken).ConfigureAwait(false))
        {
            var now = DateTimeOffset.UtcNow;
            var candidates = page.Where(v => filter.Accepts(v.Key) && tracker.ShouldLook(v, now)).ToArray();
            await Parallel.ForEachAsync(candidates, new ParallelOptions { MaxDegreeOfParallelism = options.IoConcurrency, CancellationToken = stoppingToken },
                async (version, ct) =>
                {
                    // The claim itself is not cancelled half-way: a claim stored but not seen would wait out its timeout.
                    var result = await claims.TryClaimAsync(Location, version, CancellationToken.None).ConfigureAwait(false);
                    switch (result.Outcome)
                    {
                        case ClaimOutcome.Claimed:
                            tracker.Own(version);
                            try
                            {
                                await claimed.Writer.WriteAsync(result.Receipt!, ct).ConfigureAwait(false);
                            }
                            catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
                            {
                                await claims.ReleaseAsync(result.Receipt!, CancellationToken.None).ConfigureAwait(false);
                                throw;
                            }
                            break;
                        case ClaimOutcome.Settled:
                            tracker.Settle(version);
                            break;
                        default:
                            tracker.Defer(version, result.RetryAfter);
                            break;
                    }
                }).ConfigureAwait(false);
        }
    }

    private Task BatchLoopAsync(CancellationToken stoppingToken) =>
        new MicroBatcher<DropReceipt>(claimed.Reader, location.BatchSize, location.MaxWaitMs, BatchesInFlight).RunAsync(ProcessBatchAsync, stoppingToken);

    /// <summary>Reads, classifies and writes the results of one batch.</summary>
    private async Task ProcessBatchAsync(List<DropReceipt> batch)
    {
        var ct = CancellationToken.None;
        var started = DateTime.UtcNow;
        var source = resources.Source(location.Source);
        var io = new ParallelOptions { MaxDegreeOfParallelism = options.IoConcurrency };

        // A claim retaken from a worker that died while writing: its result may have landed.
        var pending = new List<DropReceipt>();
        foreach (var receipt in batch)
        {
            if (receipt.PreviousClaimId is not null && await PreviousWriteLandedAsync(receipt).ConfigureAwait(false))
                Settle(await writer.CompleteLandedAsync(receipt, ct).ConfigureAwait(false), receipt);
            else
                pending.Add(receipt);
        }

        var bytes = new byte[pending.Count][];
        await Parallel.ForAsync(0, pending.Count, io, async (i, token) =>
        {
            try
            {
                var read = await source.ReadAllBytesAsync(pending[i].Key, token).ConfigureAwait(false);
                if (await IsSupersededAsync(pending[i], read, token).ConfigureAwait(false))
                    Settle(await claims.CompleteAsync(pending[i], ReceiptStatus.SupersededReason, ct).ConfigureAwait(false), pending[i]);
                else
                    bytes[i] = read;
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

        var readable = Enumerable.Range(0, pending.Count).Where(i => bytes[i] is not null).Select(i => pending[i]).ToArray();
        if (readable.Length == 0)
            return;
        IReadOnlyList<Prediction> predictions;
        try
        {
            var classifier = resources.Classifier(location.Model, location.Preset, location.BatchSize, location.Top);
            predictions = await classifier.ClassifyAsync(
                Enumerable.Range(0, pending.Count).Where(i => bytes[i] is not null).Select(i => new ImageInput(pending[i].Key, bytes[i])).ToArray(), ct).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            foreach (var receipt in readable)
                await FailAsync(receipt, $"classification failed: {ex.Message}").ConfigureAwait(false);
            return;
        }

        var model = Path.GetFileName(location.Model);
        var results = readable.Select((receipt, n) =>
        {
            var row = PredictionRows.From(predictions[n]);
            return (receipt, new DropResult(receipt.Key, receipt.ObjectETag, row.Top, row.ErrorCode, row.ErrorMessage, model, receipt.ClaimId!, claims.Owner, DateTimeOffset.UtcNow));
        }).ToArray();
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
        logger.LogInformation("Drop batch of {Count} from {Location} in {Milliseconds:F0} ms", batch.Count, Location, (DateTime.UtcNow - started).TotalMilliseconds);
    }

    /// <summary>
    /// Whether the bytes read are not the listed version: a plain-MD5 ETag that does not match the
    /// content (or an empty content), and the object's current ETag is another one. A listing can show a version that was
    /// never whole (s3rver lists an object mid-upload, hashing what is written so far) or that was
    /// replaced since; classifying it would classify the object twice.
    /// </summary>
    private async Task<bool> IsSupersededAsync(DropReceipt receipt, byte[] content, CancellationToken ct)
    {
        var etag = receipt.ObjectETag;
        if (sourceUri.Kind != StorageKind.S3)
            return false;
        // s3rver creates the file before it writes it: an empty object read may be one caught mid-upload.
        if (content.Length > 0 && (etag.Length != 32 || !etag.All(char.IsAsciiHexDigit)
            || string.Equals(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(content)), etag, StringComparison.OrdinalIgnoreCase)))
            return false;
        // Not every S3 ETag is an MD5 (SSE-KMS): only a different current ETag proves the version is gone.
        return !string.Equals(await lister.CurrentETagAsync(receipt.Key, ct).ConfigureAwait(false), etag, StringComparison.Ordinal);
    }

    private async Task<bool> PreviousWriteLandedAsync(DropReceipt receipt)
    {
        var name = DropNames.Result(sourceUri, receipt.Key);
        try
        {
            if (!await results.ExistsAsync(name).ConfigureAwait(false))
                return false;
            var previous = DropResult.Parse(await results.ReadAsync(name).ConfigureAwait(false));
            return previous?.ClaimId == receipt.PreviousClaimId && previous?.ETag == receipt.ObjectETag;
        }
        catch (Exception ex) when (ex is StorageException or System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private async Task FailAsync(DropReceipt receipt, string reason)
    {
        logger.LogWarning("Drop {Key} ({ETag}) attempt {Attempt} failed: {Reason}", receipt.Key, receipt.ObjectETag, receipt.Attempts, reason);
        var stored = await claims.FailAsync(receipt, reason, CancellationToken.None).ConfigureAwait(false);
        if (stored?.Status == ReceiptStatus.Poison)
            tracker.Settle(receipt.Object);
        else
            tracker.Defer(receipt.Object, stored?.ClaimedUntil ?? DateTimeOffset.UtcNow);
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
