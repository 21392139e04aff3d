namespace Serverless.Drops;

/// <summary>
/// Receipts of dropped object versions. Inserts fail on an existing receipt and replaces are
/// fenced by <see cref="DropReceipt.Version"/>: that is all <see cref="DropClaims"/> needs for
/// exactly-one owner per version across processes.
/// </summary>
public interface IDropReceiptStore
{
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores a new receipt; null when one exists already for the version.</summary>
    Task<DropReceipt?> TryInsertAsync(DropReceipt receipt, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="TryInsertAsync"/> for many receipts, in as few requests as the store allows (table
    /// transactions of up to 100); each entry is the stored receipt, or null where one existed already.
    /// </summary>
    Task<IReadOnlyList<DropReceipt?>> TryInsertAllAsync(IReadOnlyList<DropReceipt> receipts, CancellationToken cancellationToken = default);

    Task<DropReceipt?> GetAsync(string location, ObjectVersion version, CancellationToken cancellationToken = default);

    /// <summary>Replaces the receipt if it is still at <see cref="DropReceipt.Version"/>; null when another writer changed it first.</summary>
    Task<DropReceipt?> TryReplaceAsync(DropReceipt receipt, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="TryReplaceAsync"/> for many receipts, in as few requests as the store allows (table
    /// transactions of up to 100); each entry is the stored receipt, or null where its fence was lost.
    /// </summary>
    Task<IReadOnlyList<DropReceipt?>> TryReplaceAllAsync(IReadOnlyList<DropReceipt> receipts, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records each claimed version as the latest claim on its key (one row per key, beside the
    /// receipts). Answers, per receipt, the key row's version it wrote: its <see cref="DropReceipt.KeyFence"/>;
    /// null where the list holds another version of the same key.
    /// </summary>
    Task<IReadOnlyList<string?>> MarkLatestClaimsAsync(IReadOnlyList<DropReceipt> claimed, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="TryReplaceAllAsync"/> for receipts that carry a <see cref="DropReceipt.KeyFence"/>, each
    /// stored only while its key's latest claim is still its own (checked in the same transaction).
    /// Where that or the receipt's own fence fails, nothing of its transaction is stored and the
    /// entry is <see cref="FencedReplace.Unchecked"/>.
    /// </summary>
    Task<IReadOnlyList<FencedReplace>> TryReplaceIfLatestClaimAsync(IReadOnlyList<DropReceipt> receipts, CancellationToken cancellationToken = default);

    /// <summary>Every receipt of a location, without <see cref="DropReceipt.Result"/>.</summary>
    IAsyncEnumerable<DropReceipt> ListAsync(string location, CancellationToken cancellationToken = default);

    /// <summary>The receipts of a location whose object was modified at or after <paramref name="modifiedSince"/> (what a worker starts from beside the watermark).</summary>
    IAsyncEnumerable<DropReceipt> ListModifiedSinceAsync(string location, DateTimeOffset modifiedSince, CancellationToken cancellationToken = default);

    /// <summary>The location's watermark (<see cref="DropWatermark"/>); null before its first complete listing.</summary>
    Task<DateTimeOffset?> GetWatermarkAsync(string location, CancellationToken cancellationToken = default);

    /// <summary>Raises the location's watermark to <paramref name="watermark"/> (never lowers it).</summary>
    Task SetWatermarkAsync(string location, DateTimeOffset watermark, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes at most <paramref name="max"/> settled (done or poison) receipts of a location last
    /// changed before <paramref name="settledBefore"/> whose object was modified before
    /// <paramref name="modifiedBefore"/> (so no listing judges it again); the number deleted.
    /// </summary>
    Task<int> DeleteSettledAsync(string location, DateTimeOffset settledBefore, DateTimeOffset modifiedBefore, int max, CancellationToken cancellationToken = default);
}

/// <summary>One receipt of <see cref="IDropReceiptStore.TryReplaceIfLatestClaimAsync"/>: stored, or left unchanged because its key (or its claim) changed hands.</summary>
public sealed record FencedReplace(DropReceipt? Stored)
{
    public static readonly FencedReplace Unchecked = new((DropReceipt?)null);
}
