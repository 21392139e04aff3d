namespace Serverless.Drops;

/// <summary>What an attempt to claim an object version got.</summary>
public enum ClaimOutcome
{
    /// <summary>This worker owns the version now.</summary>
    Claimed,

    /// <summary>Another worker holds a live claim, or won a race; look again after <see cref="ClaimResult.RetryAfter"/>.</summary>
    Busy,

    /// <summary>Nothing more to do for the version here (done, poison, or a job already started).</summary>
    Settled,
}

/// <summary>
/// The outcome and the receipt as it now stands. <paramref name="PoisonedNow"/>: this attempt found the
/// claim expired with its attempts spent and made the receipt <c>poison</c> (outcome Settled).
/// </summary>
public sealed record ClaimResult(ClaimOutcome Outcome, DropReceipt? Receipt, DateTimeOffset RetryAfter, bool PoisonedNow = false);
