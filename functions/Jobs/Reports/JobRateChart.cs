using System.Text.Json;
using Microsoft.DurableTask.Client;
using Serverless.BatchInference.Contracts;

namespace Serverless.Jobs.Reports;

/// <summary>
/// The images/s chart of a job as the dashboard shows it, drawn by the report's <see cref="SvgLineChart"/>:
/// the steps between the job's progress samples and, while it runs, the step since the last sample
/// from the live count.
/// </summary>
public static class JobRateChart
{
    public const string Title = "Images per second over time";
    public const string XUnit = "seconds since start";
    public const string YUnit = "images/s";

    /// <summary>The chart's points for <paramref name="status"/> (its live progress added) at <paramref name="now"/>.</summary>
    public static List<(double X, double Y)> Points(JobStatusResponse status, DateTimeOffset now)
    {
        var progress = status.CustomStatus is { ValueKind: JsonValueKind.Object } custom ? custom.Deserialize<JobProgress>(BatchJson.Options) : null;
        var samples = progress?.Samples ?? [];
        var points = ProgressSamples.Rates(samples);
        var running = status.RuntimeStatus is nameof(OrchestrationRuntimeStatus.Running) or nameof(OrchestrationRuntimeStatus.Pending) or nameof(OrchestrationRuntimeStatus.Suspended);
        if (running && samples.Count > 0 && progress is not null)
        {
            var last = samples[^1];
            var elapsed = (now - new DateTimeOffset(progress.StartedAt ?? status.CreatedTime, TimeSpan.Zero)).TotalSeconds;
            if (elapsed > last.Seconds + 1)
            {
                var rate = Math.Max(0, progress.Done - last.Done) / (elapsed - last.Seconds);
                points.Add((last.Seconds, rate));
                points.Add((elapsed, rate));
            }
        }
        return points;
    }

    /// <summary>The chart as an SVG document, or null when there are fewer than two points to draw.</summary>
    public static string? Svg(JobStatusResponse status, DateTimeOffset now)
    {
        var points = Points(status, now);
        return SvgLineChart.CanDraw(points) ? SvgLineChart.Render(points, Title, XUnit, YUnit) : null;
    }
}
