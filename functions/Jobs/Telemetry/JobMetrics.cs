using System.Diagnostics.Metrics;
using Serverless.BatchInference.Contracts;

namespace Serverless.Jobs.Telemetry;

/// <summary>
/// The batch job's metrics (meter <see cref="MeterName"/>), recorded by the activities of the
/// process that ran them: images classified and failed (by reason code) and the duration of each
/// batch. A batch that runs again (a retry, or a worker lost after the batch ended) counts again:
/// these count the work done, the job's own counts are in its summary.
/// </summary>
public static class JobMetrics
{
    public const string MeterName = "Serverless.Jobs";

    // A batch: well under a second (a few small images) to minutes (a large batch of a large model).
    private static readonly IReadOnlyList<double> BatchSeconds = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60, 120, 300];

    /// <summary>The meter (hosts add it to their metrics pipeline by its name).</summary>
    public static Meter Meter { get; } = new(MeterName);

    private static readonly Counter<long> Classified = Meter.CreateCounter<long>("serverless.images.classified", "{image}", "Images classified by batch jobs.");

    private static readonly Counter<long> Failed = Meter.CreateCounter<long>("serverless.images.failed", "{image}", "Images of batch jobs that could not be classified, by reason code.");

    private static readonly Histogram<double> BatchDuration = Meter.CreateHistogram("serverless.batch.duration", "s",
        "Duration of one ClassifyBatch activity: reads, decode, inference and the part's write.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = BatchSeconds });

    /// <summary>Records what one batch (or one RecordFailures activity) produced.</summary>
    /// <param name="seconds">The batch's duration; null for failures recorded without running a batch.</param>
    public static void Record(JobCounts counts, string modelPath, double? seconds)
    {
        var model = new KeyValuePair<string, object?>("model", Path.GetFileName(modelPath));
        if (counts.Succeeded > 0)
            Classified.Add(counts.Succeeded, model);
        foreach (var (reason, count) in counts.FailuresByReason)
            Failed.Add(count, model, new KeyValuePair<string, object?>("reason", reason));
        if (seconds is { } s)
            BatchDuration.Record(s, model);
    }
}
