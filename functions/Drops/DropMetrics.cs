using System.Diagnostics.Metrics;

namespace Serverless.Drops;

/// <summary>
/// Blob drops' metric (meter <see cref="MeterName"/>): object versions processed, by outcome:
/// <c>classified</c> and <c>failed</c> (a result was written, with top classes or with the image's
/// error), <c>skipped</c> (deleted, replaced or already done before it was read), <c>retry</c> (the
/// attempt failed and the version waits for another) and <c>poison</c> (its attempts are spent).
/// </summary>
public static class DropMetrics
{
    public const string MeterName = "Serverless.Drops";

    /// <summary>The meter (hosts add it to their metrics pipeline by its name).</summary>
    public static Meter Meter { get; } = new(MeterName);

    private static readonly Counter<long> Processed = Meter.CreateCounter<long>("serverless.drops.processed", "{version}", "Dropped object versions processed, by outcome.");

    internal static void Record(string outcome, long count = 1)
    {
        if (count > 0)
            Processed.Add(count, new KeyValuePair<string, object?>("outcome", outcome));
    }
}
