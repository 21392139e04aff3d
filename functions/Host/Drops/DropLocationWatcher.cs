using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Serverless.Host.Activities;
using Serverless.Inference;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Host.Drops;

/// <summary>
/// Watches one image prefix: lists it, claims each new object version, groups claimed versions
/// into micro-batches (up to the batch size, or the maximum wait from the first one), classifies a
/// batch with the process's warm classifier and writes one result per image. At shutdown the batch
/// in hand is finished and the claims not started are released.
/// </summary>
internal sealed class DropLocationWatcher
{
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

    private async Task BatchLoopAsync(CancellationToken stoppingToken)
    {
        var reader = claimed.Reader;
        // The result writes of one batch run while the next batch is read and classified.
        var writing = Task.CompletedTask;
        try
        {
            await BatchesAsync(reader, stoppingToken, async batch =>
            {
                var writes = await ProcessBatchAsync(batch).ConfigureAwait(false);
                await writing.ConfigureAwait(false);
                writing = writes;
            }).ConfigureAwait(false);
        }
        finally
        {
            await writing.ConfigureAwait(false);
        }
    }

    private async Task BatchesAsync(ChannelReader<DropReceipt> reader, CancellationToken stoppingToken, Func<List<DropReceipt>, Task> process)
    {
        while (true)
        {
            DropReceipt first;
            try
            {
                first = await reader.ReadAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
            {
                return;
            }
            var batch = new List<DropReceipt> { first };
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                wait.CancelAfter(location.MaxWaitMs);
                try
                {
                    while (batch.Count < location.BatchSize)
                    {
                        if (reader.TryRead(out var next))
                            batch.Add(next);
                        else if (!await reader.WaitToReadAsync(wait.Token).ConfigureAwait(false))
                            break;
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }
            // A batch in hand is finished even when stopping: its claims are ours and the work is short.
            await process(batch).ConfigureAwait(false);
        }
    }

    /// <summary>Reads and classifies a batch; returns the task writing its results.</summary>
    private async Task<Task> ProcessBatchAsync(List<DropReceipt> batch)
    {
        var ct = CancellationToken.None;
        var started = DateTime.UtcNow;
        var source = resources.Source(location.Source);
        var results = resources.Results(location.Results);
        var io = new ParallelOptions { MaxDegreeOfParallelism = options.IoConcurrency };

        // A claim retaken from a worker that died while writing: its result may have landed.
        var pending = new List<DropReceipt>();
        foreach (var receipt in batch)
        {
            if (receipt.PreviousClaimId is not null && await PreviousWriteLandedAsync(results, receipt).ConfigureAwait(false))
                await SettleAsync(await claims.CompleteAsync(receipt, "result written by the previous claim", ct).ConfigureAwait(false), receipt);
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
                    await SettleAsync(await claims.CompleteAsync(pending[i], ReceiptStatus.SupersededReason, ct).ConfigureAwait(false), pending[i]);
                else
                    bytes[i] = read;
            }
            catch (StorageException ex) when (ex.Kind == StorageErrorKind.ObjectNotFound)
            {
                // Deleted (or replaced) since it was listed: nothing to classify for this version.
                await SettleAsync(await claims.CompleteAsync(pending[i], "object no longer exists", ct).ConfigureAwait(false), pending[i]);
            }
            catch (Exception ex)
            {
                await FailAsync(pending[i], $"read failed: {ex.Message}");
            }
        }).ConfigureAwait(false);

        var readable = Enumerable.Range(0, pending.Count).Where(i => bytes[i] is not null).ToArray();
        if (readable.Length == 0)
            return Task.CompletedTask;
        IReadOnlyList<Prediction> predictions;
        try
        {
            var classifier = resources.Classifier(location.Model, location.Preset, location.BatchSize, location.Top);
            predictions = await classifier.ClassifyAsync(
                readable.Select(i => new ImageInput(pending[i].Key, bytes[i])).ToArray(), ct).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            foreach (var i in readable)
                await FailAsync(pending[i], $"classification failed: {ex.Message}").ConfigureAwait(false);
            return Task.CompletedTask;
        }

        return WriteResultsAsync(results, pending, readable, predictions, io, batch.Count, started);
    }

    private async Task WriteResultsAsync(IResultStore results, List<DropReceipt> pending, int[] readable,
        IReadOnlyList<Prediction> predictions, ParallelOptions io, int batchCount, DateTime started)
    {
        await Parallel.ForAsync(0, readable.Length, io, async (n, token) =>
        {
            var receipt = pending[readable[n]];
            try
            {
                await WriteResultAsync(results, receipt, predictions[n], token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                await FailAsync(receipt, $"result write failed: {ex.Message}").ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
        logger.LogInformation("Drop batch of {Count} from {Location} in {Milliseconds:F0} ms", batchCount, Location, (DateTime.UtcNow - started).TotalMilliseconds);
    }

    private async Task WriteResultAsync(IResultStore results, DropReceipt receipt, Prediction prediction, CancellationToken ct)
    {
        // Count the write before it starts: a write is never made without being counted.
        var writing = await claims.BeginWriteAsync(receipt, ct).ConfigureAwait(false);
        if (writing is null)
        {
            logger.LogWarning("Lost the claim on {Key} ({ETag}) before writing; another worker has it", receipt.Key, receipt.ObjectETag);
            tracker.Defer(receipt.Object, DateTimeOffset.UtcNow + options.PollInterval);
            return;
        }
        var row = PredictionRows.From(prediction);
        var result = new DropResult(receipt.Key, receipt.ObjectETag, row.Top, row.ErrorCode, row.ErrorMessage,
            Path.GetFileName(location.Model), writing.ClaimId!, claims.Owner, DateTimeOffset.UtcNow);
        await results.WriteAsync(DropNames.Result(sourceUri, receipt.Key), result.ToJson(), ct).ConfigureAwait(false);
        await SettleAsync(await claims.CompleteAsync(writing, null, ct).ConfigureAwait(false), writing);
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

    private async Task<bool> PreviousWriteLandedAsync(IResultStore results, DropReceipt receipt)
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

    private Task SettleAsync(DropReceipt? stored, DropReceipt receipt)
    {
        // A lost fence here means another worker retook the version after our claim expired; it settles it.
        if (stored is null)
            tracker.Defer(receipt.Object, DateTimeOffset.UtcNow + options.PollInterval);
        else
            tracker.Settle(receipt.Object);
        return Task.CompletedTask;
    }
}
