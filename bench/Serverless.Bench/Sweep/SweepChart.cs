using ScottPlot;

namespace Serverless.Bench;

/// <summary>
/// The sweep as grouped bars: one group per grid point, one bar per model and precision, each as
/// a fraction of that model and precision's best point (absolute rates differ 4x between the
/// models; the table has them), so the best configuration of each reads off as the bar at 1.
/// </summary>
internal static class SweepChart
{
    public static void Write(IReadOnlyList<SweepPoint> points, string path)
    {
        var series = points.Select(p => (p.Model, p.Precision)).Distinct().ToArray();
        var configs = points.Select(p => p.Config).Distinct().ToArray();
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var width = 0.8 / series.Length;
        for (var s = 0; s < series.Length; s++)
        {
            var mine = points.Where(p => (p.Model, p.Precision) == series[s]).ToArray();
            var best = mine.Max(p => p.ImagesPerSecond);
            var bars = mine.Select(p => new Bar
            {
                Position = Array.IndexOf(configs, p.Config) - 0.4 + (width * (s + 0.5)),
                Value = p.ImagesPerSecond / best,
                Size = width,
                FillColor = palette.GetColor(s),
            }).ToArray();
            plot.Add.Bars(bars).LegendText = $"{series[s].Model} {series[s].Precision} (best {best:0.0} img/s)";
        }

        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, configs.Length).Select(i => (double)i).ToArray(), configs);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 110;
        plot.Axes.Margins(bottom: 0);
        plot.Title("Worker configuration sweep (c: concurrent batch parts, t: ORT threads, d: decode parallelism, b: batch)");
        plot.YLabel("images/s, fraction of the best point");
        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, 1400, 600);
    }
}
