namespace Serverless.Drops;

/// <summary>Where a dropped object version stands.</summary>
public static class ReceiptStatus
{
    /// <summary>A worker holds it until <see cref="DropReceipt.ClaimedUntil"/>.</summary>
    public const string Claimed = "claimed";

    /// <summary>The result write is under way (the write was counted in <see cref="DropReceipt.Writes"/> before it started).</summary>
    public const string Writing = "writing";

    /// <summary>The last attempt failed; retaken after <see cref="DropReceipt.ClaimedUntil"/>.</summary>
    public const string Failed = "failed";

    /// <summary>A job file whose job was started and has not ended yet.</summary>
    public const string Running = "running";

    /// <summary>Finished: the result (or the job's status) is written.</summary>
    public const string Done = "done";

    /// <summary>Given up after the configured attempts; <see cref="DropReceipt.Reason"/> says why.</summary>
    public const string Poison = "poison";

    /// <summary>The reason on a done receipt whose listed version was not the one read (nothing was written for it).</summary>
    public const string SupersededReason = "superseded: the object read is not the listed version";

    /// <summary>
    /// The reason on a done receipt whose attempt failed after its object was replaced or deleted: a
    /// listing never shows that version again, so it would never be retried (nothing was written for it).
    /// </summary>
    public const string ReplacedReason = "superseded: the object was replaced or deleted before this version was classified";

    public static bool IsFinal(string status) => status is Done or Poison;
}
