using Microsoft.Extensions.Logging;
using Serverless.Inference;
using Serverless.Storage;
using Serverless.Storage.Results;
using Serverless.Jobs;
using Serverless.Jobs.Classification;

namespace Serverless.Drops;

/// <summary>
/// Classifies claimed versions of one drop location and writes one result per image
/// (<see cref="DropResultWriter"/>): reads each version (settling one that was deleted, replaced or
/// whose dead predecessor's result landed), classifies the readable ones in one batch with the
/// process's warm classifier, and writes their results. A failed attempt is counted in the receipt
/// (the version becomes poison after its attempts are spent, and gets a poison result). Both hosts
/// use it: a watcher with micro-batches of what it listed, a blob trigger with one version.
/// </summary>
public sealed class DropBatchProcessor
{
    private readonly DropLocationOptions location;
    private readonly DropOptions options;
    private readonly DropClaims claims;
    private readonly JobResources resources;
    private readonly IDropSettlement settlement;
    private readonly ILogger logger;
    private readonly DropResultWriter writer;
    private readonly DropVersionChecks checks;

    public DropBatchProcessor(DropLocationOptions location, DropOptions options, DropClaims claims, JobResources resources, IDropSettlement settlement, ILogger logger)
    {
        this.location = location;
        this.options = options;
        this.claims = claims;
        this.resources = resources;
        this.settlement = settlement;
        this.logger = logger;
        var source = SourceUri.Parse(location.Source);
        var lister = VersionListerFactory.Create(source, resources.Connections);
        var results = resources.Results(location.Results);
        writer = new DropResultWriter(claims, lister, results, source, options.IoConcurrency);
        checks = new DropVersionChecks(source, lister, results);
    }

    /// <summary>Reads and classifies one batch; answers the task writing its results, which runs on while the next batch is classified.</summary>
    public async Task<Task> ProcessAsync(IReadOnlyList<DropReceipt> batch)
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
            {
                Settle(await writer.CompleteLandedAsync(receipt, ct).ConfigureAwait(false), receipt);
                DropMetrics.Record("skipped");
            }
            else
                unsettled.Add(receipt);
        }

        var pending = unsettled.ToArray();
        var inputs = new ImageInput?[pending.Length];
        var maxBytes = resources.MaxEncodedBytes;
        await Parallel.ForAsync(0, pending.Length, io, async (i, token) =>
        {
            try
            {
                var read = await source.ReadAllBytesAsync(pending[i].Key, maxBytes, token).ConfigureAwait(false);
                var proven = checks.IsListedVersion(pending[i], read);
                if (!proven && await checks.IsSupersededAsync(pending[i], read, token).ConfigureAwait(false))
                {
                    Settle(await claims.CompleteAsync(pending[i], ReceiptStatus.SupersededReason, ct).ConfigureAwait(false), pending[i]);
                    DropMetrics.Record("skipped");
                    return;
                }
                inputs[i] = new ImageInput(pending[i].Key, read);
                // A key fence speaks for this version only when the bytes are known to be it.
                if (!proven)
                    pending[i] = pending[i] with { KeyFence = null };
            }
            catch (StorageException ex) when (ex.Kind == StorageErrorKind.TooLarge)
            {
                // An answer, like a corrupt image: the result says too_large. Its bytes were not read, so no fence.
                var rejection = ImageReads.TooLarge(ex);
                inputs[i] = new ImageInput(pending[i].Key, _ => throw rejection);
                pending[i] = pending[i] with { KeyFence = null };
            }
            catch (StorageException ex) when (ex.Kind == StorageErrorKind.ObjectNotFound)
            {
                // Deleted (or replaced) since it was listed: nothing to classify for this version.
                Settle(await claims.CompleteAsync(pending[i], "object no longer exists", ct).ConfigureAwait(false), pending[i]);
                DropMetrics.Record("skipped");
            }
            catch (Exception ex)
            {
                await FailAsync(pending[i], $"read failed: {ex.Message}").ConfigureAwait(false);
            }
        }).ConfigureAwait(false);

        var readable = Enumerable.Range(0, pending.Length).Where(i => inputs[i] is not null).Select(i => pending[i]).ToArray();
        if (readable.Length == 0)
            return Task.CompletedTask;
        IReadOnlyList<Prediction> predictions;
        try
        {
            using var lease = resources.Classifier(location.Model, location.Preset, location.BatchSize, location.Top);
            predictions = await lease.Classifier.ClassifyAsync(
                inputs.OfType<ImageInput>().ToArray(), ct).ConfigureAwait(false);
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
            else
                DropMetrics.Record(results.Any(r => r.Item2.Key == outcome.Receipt.Key && r.Item2.ETag == outcome.Receipt.ObjectETag && r.Item2.ErrorCode is not null) ? "failed" : "classified");
            Settle(outcome.Stored, outcome.Receipt);
        }
        logger.LogInformation("Drop batch of {Count} from {Location} in {Milliseconds:F0} ms", batchCount, location.Source, (DateTime.UtcNow - started).TotalMilliseconds);
    }

    private async Task FailAsync(DropReceipt receipt, string reason)
    {
        logger.LogWarning("Drop {Key} ({ETag}) attempt {Attempt} failed: {Reason}", receipt.Key, receipt.ObjectETag, receipt.Attempts, reason);
        // A version replaced meanwhile (s3rver lists objects mid-upload, whose reads then fail) is never
        // listed again, so a retry would never come: settle it, unless its result write had begun.
        if (receipt.Status == ReceiptStatus.Claimed && await checks.IsReplacedAsync(receipt, CancellationToken.None).ConfigureAwait(false))
        {
            Settle(await claims.CompleteAsync(receipt, ReceiptStatus.ReplacedReason, CancellationToken.None).ConfigureAwait(false), receipt);
            DropMetrics.Record("skipped");
            return;
        }
        var stored = await claims.FailAsync(receipt, reason, CancellationToken.None).ConfigureAwait(false);
        DropMetrics.Record(stored?.Status == ReceiptStatus.Poison ? "poison" : "retry");
        if (stored?.Status == ReceiptStatus.Poison)
        {
            settlement.Settle(receipt.Object);
            await WritePoisonAsync(stored).ConfigureAwait(false);
        }
        else
        {
            settlement.Defer(receipt.Object, stored?.ClaimedUntil ?? DateTimeOffset.UtcNow);
        }
    }

    /// <summary>Writes a poison version's result (its error and reason), so the key no longer shows the version before.</summary>
    public async Task WritePoisonAsync(DropReceipt poison)
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
            settlement.Defer(receipt.Object, DateTimeOffset.UtcNow + options.PollInterval);
        else
            settlement.Settle(receipt.Object);
    }
}
