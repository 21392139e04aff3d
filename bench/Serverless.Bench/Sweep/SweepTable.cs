using System.Globalization;
using System.Text;

namespace Serverless.Bench;

/// <summary>The sweep as a Markdown table: one row per grid point, one column per model and precision, the best of each column in bold.</summary>
internal static class SweepTable
{
    public static string Markdown(IReadOnlyList<SweepPoint> points)
    {
        var columns = points.Select(p => (p.Model, p.Precision)).Distinct().ToArray();
        var best = columns.ToDictionary(c => c, c => points.Where(p => (p.Model, p.Precision) == c).Max(p => p.ImagesPerSecond));
        var text = new StringBuilder();
        text.Append("| concurrent parts | ORT threads | decode | batch |");
        foreach (var (model, precision) in columns)
        {
            text.Append(CultureInfo.InvariantCulture, $" {model} {precision} img/s |");
        }

        text.AppendLine();
        text.Append("| ---: | ---: | ---: | ---: |").AppendJoin("", columns.Select(_ => " ---: |")).AppendLine();
        foreach (var row in points.GroupBy(p => (p.Concurrency, p.IntraOp, p.Decode, p.Batch)).OrderBy(g => g.Key))
        {
            text.Append(CultureInfo.InvariantCulture, $"| {row.Key.Concurrency} | {row.Key.IntraOp} | {row.Key.Decode} | {row.Key.Batch} |");
            foreach (var column in columns)
            {
                var point = row.FirstOrDefault(p => (p.Model, p.Precision) == column);
                var cell = point is null ? "" : point.ImagesPerSecond.ToString("0.0", CultureInfo.InvariantCulture);
                text.Append(point is not null && point.ImagesPerSecond == best[column] ? $" **{cell}** |" : $" {cell} |");
            }

            text.AppendLine();
        }

        return text.ToString();
    }
}
