using Serverless.Storage;

namespace Serverless.Drops;

/// <summary>
/// Writes the results of one micro-batch so that the result under a key ends as the result of the
/// key's current version, whichever writer finishes last. Two versions of one key may be written by
/// two workers (or two batches) at once, and the older one's write may land last. So: each write is
/// counted, and its JSON kept in its receipt, before it starts (one table transaction per batch);
/// after it lands, the object's current ETag is read, and when it names another version whose
/// result is known (its write has begun), that result is written back over ours. A version whose
/// write has not begun yet writes after ours, and checks in turn. Receipts are done only after the
/// check, so a writer that dies in between leaves a <c>writing</c> receipt whose next owner checks.
/// A version that carries a key fence (its bytes were proven to be it, and it was the key's latest
/// claim) skips the read: its receipt is done in a transaction that holds only if no other version
/// of the key was claimed since; where that fails it reads and restores as above.
/// </summary>
public sealed class DropResultWriter(DropClaims claims, IVersionLister lister, IResultStore results, SourceUri source, int concurrency)
{
    // Each round needs the key to change again while we write: more than a few means a key rewritten
    // non-stop, whose latest writer restores its own result anyway.
    private const int MaxRestores = 5;

    /// <summary>The <c>errorCode</c> of a poison version's result; its <c>errorMessage</c> is the receipt's reason.</summary>
    public const string PoisonErrorCode = "poison";

    /// <summary>Writes each version's result; the outcomes are in input order.</summary>
    public async Task<IReadOnlyList<DropWriteOutcome>> WriteAsync(IReadOnlyList<(DropReceipt Receipt, DropResult Result)> batch, CancellationToken cancellationToken)
    {
        var begun = await claims.BeginWritesAsync(batch.Select(b => (b.Receipt, b.Result.ToJson())).ToArray(), cancellationToken).ConfigureAwait(false);
        var outcomes = new DropWriteOutcome?[batch.Count];
        var reasons = new string?[batch.Count];
        var io = new ParallelOptions { MaxDegreeOfParallelism = concurrency };
        await Parallel.ForAsync(0, batch.Count, io, async (i, _) =>
        {
            if (begun[i] is not { } writing)
            {
                outcomes[i] = new DropWriteOutcome(batch[i].Receipt, null, null);
                return;
            }
            try
            {
                await results.WriteAsync(DropNames.Result(source, writing.Key), writing.Result!, cancellationToken).ConfigureAwait(false);
                if (writing.KeyFence is null)
                    reasons[i] = await RestoreNewestAsync(writing, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                outcomes[i] = new DropWriteOutcome(writing, null, $"result write failed: {ex.Message}");
            }
        }).ConfigureAwait(false);

        var written = Enumerable.Range(0, batch.Count).Where(i => outcomes[i] is null).ToArray();
        var fenced = written.Where(i => begun[i]!.KeyFence is not null).ToArray();
        var fencedDone = await claims.CompleteIfLatestClaimAsync(fenced.Select(i => begun[i]!).ToArray(), cancellationToken).ConfigureAwait(false);
        for (var n = 0; n < fenced.Length; n++)
        {
            if (fencedDone[n].Stored is { } stored)
                outcomes[fenced[n]] = new DropWriteOutcome(begun[fenced[n]]!, stored, null);
        }
        // Unfenced, or another version of the key was claimed since: read the object's ETag first.
        var unfenced = written.Where(i => outcomes[i] is null).ToArray();
        await Parallel.ForAsync(0, unfenced.Length, io, async (n, _) =>
        {
            if (begun[unfenced[n]]!.KeyFence is not null)
                reasons[unfenced[n]] = await RestoreNewestAsync(begun[unfenced[n]]!, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
        var done = await claims.CompleteAllAsync(unfenced.Select(i => (begun[i]!, reasons[i])).ToArray(), cancellationToken).ConfigureAwait(false);
        for (var n = 0; n < unfenced.Length; n++)
            outcomes[unfenced[n]] = new DropWriteOutcome(begun[unfenced[n]]!, done[n], null);
        return outcomes!;
    }

    /// <summary>
    /// Writes the result of a version that ended as poison, naming the failure: without it the key would
    /// keep the result of the version before (an overwritten image would show the old image's classes).
    /// As for any result, its JSON is kept in the receipt first, so an older version's writer that lands
    /// later copies it back, and after the write a newer version's result is restored. Not counted in
    /// <see cref="DropReceipt.Writes"/>, which counts classifications. Null when the receipt changed meanwhile,
    /// or when a classification result of this version was begun: it may have landed, and beats a failure.
    /// </summary>
    public async Task<DropReceipt?> WritePoisonAsync(DropReceipt poison, string model, CancellationToken cancellationToken)
    {
        if (poison.Writes > 0)
            return null;
        var result = new DropResult(poison.Key, poison.ObjectETag, [], PoisonErrorCode, poison.Reason, model, poison.ClaimId ?? "", claims.Owner, DateTimeOffset.UtcNow);
        var kept = await claims.Store.TryReplaceAsync(poison with { Result = result.ToJson() }, cancellationToken).ConfigureAwait(false);
        if (kept is null)
            return null;
        await results.WriteAsync(DropNames.Result(source, kept.Key), kept.Result!, cancellationToken).ConfigureAwait(false);
        await RestoreNewestAsync(kept, cancellationToken).ConfigureAwait(false);
        return kept;
    }

    /// <summary>Completes a version whose previous claim's result landed before that claim died, after the check it may not have made.</summary>
    public async Task<DropReceipt?> CompleteLandedAsync(DropReceipt receipt, CancellationToken cancellationToken)
    {
        var reason = await RestoreNewestAsync(receipt, cancellationToken).ConfigureAwait(false);
        return await claims.CompleteAsync(receipt, reason ?? "result written by the previous claim", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// After <paramref name="written"/>'s result landed: while the object's current version is another
    /// one whose result is known, writes that one back. The reason to record, or null when ours stands.
    /// </summary>
    private async Task<string?> RestoreNewestAsync(DropReceipt written, CancellationToken cancellationToken)
    {
        var last = written.ObjectETag;
        string? reason = null;
        for (var round = 0; round < MaxRestores; round++)
        {
            var current = await lister.CurrentETagAsync(written.Key, cancellationToken).ConfigureAwait(false);
            // Deleted, or the version whose result is there: nothing newer to put back.
            if (current is null || current == last)
                return reason;
            var newer = await claims.Store.GetAsync(written.Location, new ObjectVersion(written.Key, current), cancellationToken).ConfigureAwait(false);
            // Not classified yet (or never listed): its own write comes after ours, and checks in turn.
            if (newer?.Result is null)
                return reason;
            await results.WriteAsync(DropNames.Result(source, written.Key), newer.Result, cancellationToken).ConfigureAwait(false);
            last = current;
            reason = $"the object changed to {current} while its result was written; that version's result was written back";
        }
        return reason;
    }
}

/// <summary>
/// What became of one result write: <paramref name="Stored"/> is the done receipt; without it, a
/// <paramref name="Error"/> to record as a failed attempt, or neither when the claim was lost.
/// <paramref name="Receipt"/> is the receipt as last stored by this writer.
/// </summary>
public sealed record DropWriteOutcome(DropReceipt Receipt, DropReceipt? Stored, string? Error);
