using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Serverless.Host.Telemetry;

/// <summary>
/// How long this process's activities ran (meter <see cref="MeterName"/>): the longest run of each activity
/// since the process started, failed and released runs included. An activity must end well within the Functions
/// app's <c>functionTimeout</c> at any job size; this says how far each is from it (<c>bench/run.sh scale</c>
/// reports it as <c>longest_activity_seconds</c>). Recorded by the serverless host (<see cref="Durable.DrainingActivity"/>).
/// </summary>
public static class ActivityMetrics
{
    public const string MeterName = "Serverless.Activities";

    /// <summary>The meter (the host adds it to its metrics pipeline by its name).</summary>
    public static Meter Meter { get; } = new(MeterName);

    private static readonly ConcurrentDictionary<string, double> Longest = new(StringComparer.Ordinal);

    static ActivityMetrics() =>
        Meter.CreateObservableGauge("serverless.activity.longest", Measurements, "s",
            "The longest run of each activity in this process since it started, by activity name.");

    /// <summary>Records one run of <paramref name="activity"/> that took <paramref name="seconds"/>.</summary>
    public static void Record(string activity, double seconds) =>
        Longest.AddOrUpdate(activity, seconds, (_, longest) => Math.Max(longest, seconds));

    private static IEnumerable<Measurement<double>> Measurements() =>
        Longest.Select(pair => new Measurement<double>(pair.Value, new KeyValuePair<string, object?>("activity", pair.Key)));
}
