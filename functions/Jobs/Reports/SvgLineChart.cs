using System.Globalization;
using System.Net;
using System.Text;

namespace Serverless.Jobs.Reports;

/// <summary>
/// A line chart as inline SVG (no script, no external file): axes with rounded ticks, a grid and
/// the series as a filled line. The one chart renderer: report.html inlines it, the dashboard fetches
/// it as an SVG document (<c>api/dashboard/jobs/{id}/chart</c>, <see cref="JobRateChart"/>).
/// </summary>
public static class SvgLineChart
{
    private const int Width = 720, Height = 250, Left = 56, Right = 16, Top = 26, Bottom = 36;

    /// <summary>The chart of <paramref name="points"/> (x ascending); a note instead when there are fewer than two.</summary>
    public static string Render(IReadOnlyList<(double X, double Y)> points, string title, string xUnit, string yUnit)
    {
        if (!CanDraw(points))
            return $"<p class=\"empty\">{WebUtility.HtmlEncode(title)}: not enough progress samples to draw.</p>";
        var xMax = NiceCeiling(points.Max(p => p.X));
        var yMax = NiceCeiling(points.Max(p => p.Y));
        double X(double x) => Left + x / xMax * (Width - Left - Right);
        double Y(double y) => Height - Bottom - y / yMax * (Height - Top - Bottom);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{WebUtility.HtmlEncode(title)}\">");
        foreach (var tick in Ticks(yMax))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Y(tick):F1}\" y2=\"{Y(tick):F1}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{Left - 6}\" y=\"{Y(tick) + 4:F1}\" text-anchor=\"end\">{Format(tick)}</text>");
        }
        foreach (var tick in Ticks(xMax))
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{X(tick):F1}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{Format(tick)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{Width - Right}\" y=\"{Height - 4}\" text-anchor=\"end\">{WebUtility.HtmlEncode(xUnit)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{Left}\" y=\"12\" text-anchor=\"middle\">{WebUtility.HtmlEncode(yUnit)}</text>");
        var line = string.Join(' ', points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{X(p.X):F1},{Y(p.Y):F1}")));
        svg.Append(CultureInfo.InvariantCulture, $"<polygon class=\"area\" points=\"{X(points[0].X):F1},{Y(0):F1} {line} {X(points[^1].X):F1},{Y(0):F1}\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"line\" points=\"{line}\"/>");
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>Whether there are points enough for a line (two).</summary>
    public static bool CanDraw(IReadOnlyList<(double X, double Y)> points) => points.Count >= 2;

    /// <summary>1, 2 or 5 times a power of ten, at least <paramref name="value"/> (and above 0).</summary>
    public static double NiceCeiling(double value)
    {
        if (!(value > 0) || double.IsInfinity(value))
            return 1;
        var power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in new[] { 1.0, 2, 5, 10 })
            if (step * power >= value * 0.9999)
                return step * power;
        return 10 * power;
    }

    private static IEnumerable<double> Ticks(double max) => Enumerable.Range(0, 5).Select(i => max * i / 4);

    private static string Format(double value) => value >= 100 || value == Math.Round(value)
        ? value.ToString("0", CultureInfo.InvariantCulture)
        : value.ToString("0.##", CultureInfo.InvariantCulture);
}
