namespace Serverless.Drops;

/// <summary>
/// A location's watermark: a last-modified time (the store's clock) at or before which every object
/// the listings showed is settled. It is persisted beside the receipts and only rises: after a
/// complete listing, to just before the earliest object still open (claimed, deferred, failing), or
/// to the latest object listed when none is. A listing still enumerates every key (S3 and Blob
/// listings cannot filter by time, and <c>StartAfter</c> would miss keys that sort early), but an
/// object modified before the watermark less <see cref="DropOptions.WatermarkWindow"/> is neither
/// judged (no receipt read or claim) nor remembered: memory and receipt requests grow with the
/// window, not with the location. Settled receipts of such objects expire after
/// <see cref="DropOptions.SettledReceiptRetention"/>, deleted a bounded batch at a time.
/// </summary>
internal sealed class DropWatermark(IDropReceiptStore store, string location, DropOptions options, TimeProvider time)
{
    private DateTimeOffset? mark;
    private DateTimeOffset lastSweep = DateTimeOffset.MinValue;

    /// <summary>The watermark; null before the location's first complete listing.</summary>
    public DateTimeOffset? Mark => mark;

    /// <summary>Objects modified before this are not judged; null: every object is.</summary>
    public DateTimeOffset? Cutoff => mark - options.WatermarkWindow;

    /// <summary>Reads the persisted watermark (a worker's start).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken) =>
        mark = await store.GetWatermarkAsync(location, cancellationToken).ConfigureAwait(false);

    /// <summary>Whether a listed version is judged: its time unknown, or not before <see cref="Cutoff"/>.</summary>
    public bool Judges(ObjectVersion version) => version.Modified is not { } modified || Cutoff is not { } cutoff || modified >= cutoff;

    /// <summary>
    /// The receipts a starting worker remembers: those of objects inside the window once there is a
    /// watermark; every receipt before the location's first complete listing.
    /// </summary>
    public IAsyncEnumerable<DropReceipt> ReceiptsToRememberAsync(CancellationToken cancellationToken) =>
        Cutoff is { } cutoff ? store.ListModifiedSinceAsync(location, cutoff, cancellationToken) : store.ListAsync(location, cancellationToken);

    /// <summary>
    /// After a complete listing (<see cref="VersionTracker.EndListing"/>'s answer): raises and persists
    /// the watermark where it moved; whether it did.
    /// </summary>
    public async Task<bool> AdvanceAsync(DateTimeOffset? earliestOpen, DateTimeOffset? latest, CancellationToken cancellationToken)
    {
        var next = earliestOpen is { } open ? open.AddTicks(-1) : latest;
        if (next is not { } candidate || (mark is { } current && candidate <= current))
            return false;
        await store.SetWatermarkAsync(location, candidate, cancellationToken).ConfigureAwait(false);
        mark = candidate;
        return true;
    }

    /// <summary>
    /// Deletes settled receipts older than the retention whose objects are outside the window, at most
    /// <see cref="DropOptions.SweepBatch"/> and at most once per <see cref="SweepInterval"/>; the number deleted.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (Cutoff is not { } cutoff || now - lastSweep < SweepInterval)
            return 0;
        lastSweep = now;
        return await store.DeleteSettledAsync(location, now - options.SettledReceiptRetention, cutoff, options.SweepBatch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The least time between two sweeps of a location: a tenth of the retention, at most a minute.</summary>
    public TimeSpan SweepInterval => TimeSpan.FromTicks(Math.Min(options.SettledReceiptRetention.Ticks / 10, TimeSpan.FromMinutes(1).Ticks));
}
