namespace Serverless.Drops;

/// <summary>
/// The receipt life cycle of an object version: claim (insert, or retake an expired claim with an
/// ETag-fenced replace), count and begin the result write, complete, fail (and poison after the
/// configured attempts), release on shutdown. Every transition is fenced, so a worker that lost its
/// claim learns it at its next step and stops.
/// </summary>
public sealed class DropClaims(IDropReceiptStore store, DropOptions options, string owner, TimeProvider time)
{
    public string Owner => owner;

    public IDropReceiptStore Store => store;

    public async Task<ClaimResult> TryClaimAsync(string location, ObjectVersion version, CancellationToken cancellationToken)
    {
        var fresh = NewReceipt(location, version);
        if (await store.TryInsertAsync(fresh, cancellationToken).ConfigureAwait(false) is { } inserted)
            return new ClaimResult(ClaimOutcome.Claimed, inserted, fresh.UpdatedAt);
        return await ClaimExistingAsync(location, version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="TryClaimAsync"/> for many versions: new ones are inserted in as few store requests as it
    /// allows; those with a receipt already are looked at one by one. Outcomes are in input order.
    /// </summary>
    public async Task<IReadOnlyList<ClaimResult>> TryClaimAllAsync(string location, IReadOnlyList<ObjectVersion> versions, int concurrency, CancellationToken cancellationToken)
    {
        var fresh = versions.Select(v => NewReceipt(location, v)).ToArray();
        var inserted = await store.TryInsertAllAsync(fresh, cancellationToken).ConfigureAwait(false);
        var results = new ClaimResult[versions.Count];
        await Parallel.ForAsync(0, versions.Count, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
            results[i] = inserted[i] is { } claimed
                ? new ClaimResult(ClaimOutcome.Claimed, claimed, fresh[i].UpdatedAt)
                : await ClaimExistingAsync(location, versions[i], cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        return await MarkLatestAsync(results, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes each claim its key's latest, before anything is read or written for it: the fences let
    /// the result writer skip reading the object's ETag when no other version was claimed since.
    /// </summary>
    private async Task<ClaimResult[]> MarkLatestAsync(ClaimResult[] results, CancellationToken cancellationToken)
    {
        var claimed = Enumerable.Range(0, results.Length).Where(i => results[i].Outcome == ClaimOutcome.Claimed).ToArray();
        if (claimed.Length == 0)
            return results;
        IReadOnlyList<string?> fences;
        try
        {
            fences = await store.MarkLatestClaimsAsync(claimed.Select(i => results[i].Receipt!).ToArray(), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Without the mark a later check could miss these claims: they go back unprocessed (or expire).
            foreach (var i in claimed)
                await ReleaseAsync(results[i].Receipt!, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            throw;
        }
        for (var n = 0; n < claimed.Length; n++)
            results[claimed[n]] = results[claimed[n]] with { Receipt = results[claimed[n]].Receipt! with { KeyFence = fences[n] } };
        return results;
    }

    private async Task<ClaimResult> ClaimExistingAsync(string location, ObjectVersion version, CancellationToken cancellationToken)
    {
        var current = await store.GetAsync(location, version, cancellationToken).ConfigureAwait(false);
        return current is null ? new ClaimResult(ClaimOutcome.Busy, null, time.GetUtcNow()) : await RetakeAsync(current, cancellationToken).ConfigureAwait(false);
    }

    private DropReceipt NewReceipt(string location, ObjectVersion version)
    {
        var now = time.GetUtcNow();
        return new DropReceipt
        {
            Location = location,
            Key = version.Key,
            ObjectETag = version.ETag,
            Status = ReceiptStatus.Claimed,
            Owner = owner,
            ClaimId = NewClaimId(),
            ClaimedUntil = now + options.ClaimTimeout,
            Attempts = 1,
            UpdatedAt = now,
            ObjectModified = version.Modified,
        };
    }

    /// <summary>Takes over a receipt whose claim expired (its owner died or gave up); a live claim or a settled receipt is left alone.</summary>
    public async Task<ClaimResult> RetakeAsync(DropReceipt current, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (ReceiptStatus.IsFinal(current.Status) || current.Status == ReceiptStatus.Running)
            return new ClaimResult(ClaimOutcome.Settled, current, DateTimeOffset.MaxValue);
        if (current.ClaimedUntil > now)
            return new ClaimResult(ClaimOutcome.Busy, current, current.ClaimedUntil);
        if (current.Attempts >= options.MaxAttempts)
        {
            var poison = current with
            {
                Status = ReceiptStatus.Poison,
                Reason = current.Status == ReceiptStatus.Failed && current.Reason is not null
                    ? current.Reason
                    : $"claim of {current.Owner} expired after {current.Attempts} attempts (worker died or hung)",
                UpdatedAt = now,
            };
            var stored = await store.TryReplaceAsync(poison, cancellationToken).ConfigureAwait(false);
            return stored is null ? new ClaimResult(ClaimOutcome.Busy, current, now) : new ClaimResult(ClaimOutcome.Settled, stored, DateTimeOffset.MaxValue, PoisonedNow: true);
        }

        var retaken = current with
        {
            Status = ReceiptStatus.Claimed,
            Owner = owner,
            ClaimId = NewClaimId(),
            // A claim that died while writing may have written: its id lets the new owner check the result.
            // A claim that died before writing wrote nothing: the one it retook (if any) is still the one to check.
            PreviousClaimId = current.Status == ReceiptStatus.Writing ? current.ClaimId : current.PreviousClaimId,
            ClaimedUntil = now + options.ClaimTimeout,
            Attempts = current.Attempts + 1,
            UpdatedAt = now,
        };
        var replaced = await store.TryReplaceAsync(retaken, cancellationToken).ConfigureAwait(false);
        return replaced is null ? new ClaimResult(ClaimOutcome.Busy, current, now) : new ClaimResult(ClaimOutcome.Claimed, replaced, now);
    }

    /// <summary>
    /// Counts the writes about to start, keeps each result's JSON in its receipt and renews the claims,
    /// in as few store requests as it allows; null where the claim was lost (then do not write).
    /// </summary>
    public Task<IReadOnlyList<DropReceipt?>> BeginWritesAsync(IReadOnlyList<(DropReceipt Receipt, byte[] Result)> writes, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return store.TryReplaceAllAsync(writes.Select(w => w.Receipt with
        {
            Status = ReceiptStatus.Writing,
            Writes = w.Receipt.Writes + 1,
            Result = w.Result,
            ClaimedUntil = now + options.ClaimTimeout,
            UpdatedAt = now,
        }).ToArray(), cancellationToken);
    }

    public Task<DropReceipt?> CompleteAsync(DropReceipt receipt, string? reason, CancellationToken cancellationToken) =>
        store.TryReplaceAsync(receipt with { Status = ReceiptStatus.Done, Reason = reason, UpdatedAt = time.GetUtcNow() }, cancellationToken);

    /// <summary><see cref="CompleteAsync"/> for many receipts, in as few store requests as it allows.</summary>
    public Task<IReadOnlyList<DropReceipt?>> CompleteAllAsync(IReadOnlyList<(DropReceipt Receipt, string? Reason)> receipts, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return store.TryReplaceAllAsync(
            receipts.Select(r => r.Receipt with { Status = ReceiptStatus.Done, Reason = r.Reason, UpdatedAt = now }).ToArray(), cancellationToken);
    }

    /// <summary>
    /// Completes receipts that carry a <see cref="DropReceipt.KeyFence"/> while no other version of their
    /// key was claimed since their own claim; the others are <see cref="FencedReplace.Unchecked"/>, unchanged.
    /// </summary>
    public Task<IReadOnlyList<FencedReplace>> CompleteIfLatestClaimAsync(IReadOnlyList<DropReceipt> receipts, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return store.TryReplaceIfLatestClaimAsync(receipts.Select(r => r with { Status = ReceiptStatus.Done, Reason = null, UpdatedAt = now }).ToArray(), cancellationToken);
    }

    public Task<DropReceipt?> MarkRunningAsync(DropReceipt receipt, string jobId, CancellationToken cancellationToken) =>
        store.TryReplaceAsync(receipt with { Status = ReceiptStatus.Running, JobId = jobId, UpdatedAt = time.GetUtcNow() }, cancellationToken);

    /// <summary>Records a failed attempt: tried again after the retry delay, or poison once the attempts are spent.</summary>
    public Task<DropReceipt?> FailAsync(DropReceipt receipt, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var poison = receipt.Attempts >= options.MaxAttempts;
        return store.TryReplaceAsync(receipt with
        {
            Status = poison ? ReceiptStatus.Poison : ReceiptStatus.Failed,
            Reason = poison ? $"failed {receipt.Attempts} times; last: {reason}" : reason,
            ClaimedUntil = now + options.RetryDelay,
            UpdatedAt = now,
        }, cancellationToken);
    }

    /// <summary>Gives an unprocessed claim back at shutdown, without spending an attempt, so another worker takes it at once.</summary>
    public Task<DropReceipt?> ReleaseAsync(DropReceipt receipt, CancellationToken cancellationToken) =>
        store.TryReplaceAsync(receipt with
        {
            ClaimedUntil = time.GetUtcNow(),
            Attempts = Math.Max(0, receipt.Attempts - 1),
            UpdatedAt = time.GetUtcNow(),
        }, cancellationToken);

    private static string NewClaimId() => Guid.NewGuid().ToString("N");
}
