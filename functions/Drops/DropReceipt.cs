namespace Serverless.Drops;

/// <summary>
/// The record of one object version (location, key, ETag) in the task hub's storage. Every change
/// is fenced by <see cref="Version"/> (the row's own ETag), so two workers never both win a claim.
/// </summary>
public sealed record DropReceipt
{
    public required string Location { get; init; }
    public required string Key { get; init; }
    public required string ObjectETag { get; init; }
    public required string Status { get; init; }
    public string? Owner { get; init; }

    /// <summary>Unique per claim; stamped into the result so a retaken claim can tell whether its predecessor's write landed.</summary>
    public string? ClaimId { get; init; }

    public string? PreviousClaimId { get; init; }
    public DateTimeOffset ClaimedUntil { get; init; }
    public int Attempts { get; init; }

    /// <summary>Result writes started for this version, counted before each write begins.</summary>
    public int Writes { get; init; }

    /// <summary>
    /// The result JSON, kept from the moment its write is counted: a writer whose result landed over a
    /// newer version's copies the newer one back from here (<see cref="DropResultWriter"/>).
    /// </summary>
    public byte[]? Result { get; init; }

    public string? Reason { get; init; }
    public string? JobId { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The object version's last-modified time when it was claimed (null where unknown): what expiry judges against the watermark.</summary>
    public DateTimeOffset? ObjectModified { get; init; }

    /// <summary>
    /// Not stored: the version of the key's latest-claim row as this claim wrote it
    /// (<see cref="IDropReceiptStore.MarkLatestClaimsAsync"/>), kept only while the bytes read are
    /// known to be this version. With it, completion checks that no other version of the key was
    /// claimed since, in its own table transaction, instead of reading the object's current ETag.
    /// </summary>
    public string? KeyFence { get; init; }

    /// <summary>The stored row's version (ETag) this copy was read at; null before it is stored.</summary>
    public string? Version { get; init; }

    public ObjectVersion Object => new(Key, ObjectETag) { Modified = ObjectModified };
}
