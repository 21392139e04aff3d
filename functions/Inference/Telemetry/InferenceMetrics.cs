using System.Diagnostics.Metrics;

namespace Serverless.Inference;

/// <summary>
/// The inference library's metrics (meter <see cref="MeterName"/>): decode and inference time per
/// batch, model loads and the number of models kept warm. Recorded whoever classifies (batch
/// jobs, drops, <c>api/classify</c>); a host exports them by adding the meter (OpenTelemetry's
/// <c>AddMeter</c>), and they cost next to nothing when nobody listens.
/// </summary>
public static class InferenceMetrics
{
    public const string MeterName = "Serverless.Inference";

    // Seconds per batch: a few milliseconds (one small image) to a minute (32 images of ResNet-50 on 2 cores).
    private static readonly IReadOnlyList<double> BatchSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    /// <summary>The meter (hosts add it to their metrics pipeline by its name).</summary>
    public static Meter Meter { get; } = new(MeterName);

    private static readonly Histogram<double> Decode = Meter.CreateHistogram("serverless.inference.decode.duration", "s",
        "Time to decode and preprocess one batch of images (reads from storage excluded).", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = BatchSeconds });

    private static readonly Histogram<double> Run = Meter.CreateHistogram("serverless.inference.run.duration", "s",
        "Time of one inference run of the model on a batch.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = BatchSeconds });

    private static readonly Counter<long> Loads = Meter.CreateCounter<long>("serverless.model.loads", "{load}", "Models loaded into the cache (a load per model per process, unless it failed).");

    static InferenceMetrics() =>
        Meter.CreateObservableGauge("serverless.model.cache.size", () => ModelCache.Shared.Count, "{model}", "Models kept warm in this process's model cache.");

    internal static void RecordDecode(TimeSpan elapsed, string model) => Decode.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("model", model));

    internal static void RecordRun(TimeSpan elapsed, string model) => Run.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("model", model));

    internal static void RecordLoad(string model) => Loads.Add(1, new KeyValuePair<string, object?>("model", model));
}
