using System.Globalization;
using System.Net;
using System.Text;
using Serverless.BatchInference.Contracts;
using Serverless.Storage.Results;

namespace Serverless.Jobs.Reports;

/// <summary>
/// <c>report.html</c>, written beside <c>summary.json</c> by the merge: one self-contained page
/// (inline CSS and SVG, no script, nothing fetched) with the job page's numbers and charts:
/// counts, images/s over time, failures by reason, the top classes and the failed samples.
/// </summary>
public static class JobReport
{
    public const string FileName = "report.html";

    /// <summary>The report of a merged job.</summary>
    public static byte[] Render(JobSummary summary, IReadOnlyList<ProgressSample> samples, ResultSamples rows)
    {
        var html = new StringBuilder();
        var title = $"Job {summary.JobId}";
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append(CultureInfo.InvariantCulture, $"<title>{E(title)} report</title><style>{Css}</style></head><body>")
            .Append(CultureInfo.InvariantCulture, $"<header><h1>{E(title)}</h1><p class=\"meta\">{E(summary.Source)} &rarr; {E(summary.Output)} &middot; model {E(summary.Model)}</p></header><main>");

        html.Append("<section class=\"tiles\">")
            .Append(Tile("images", "Images", N(summary.Total)))
            .Append(Tile("succeeded", "Classified", N(summary.Succeeded)))
            .Append(Tile("failed", "Failed", N(summary.Failed)))
            .Append(Tile("rate", "Images/s", summary.ImagesPerSecond is { } r ? r.ToString("0.##", CultureInfo.InvariantCulture) : "–"))
            .Append(Tile("elapsed", "Elapsed", summary.ElapsedSeconds is { } s ? Duration(s) : "–"))
            .Append("</section>");

        html.Append("<section><h2>Images per second</h2>")
            .Append(SvgLineChart.Render(ProgressSamples.Rates(samples), "Images per second over time", "seconds since start", "images/s"))
            .Append("</section>");

        html.Append("<div class=\"columns\"><section><h2>Failures by reason</h2>")
            .Append(Bars(summary.FailuresByReason, "No image failed.", "bars bad"))
            .Append("</section><section><h2>Top classes</h2>")
            .Append(Bars(JobProgress.Top(summary.ClassHistogram), "No image was classified.", "bars"))
            .Append("</section></div>");

        if (rows.Failed.Count > 0)
        {
            html.Append("<section><h2>Failed images (sample)</h2><table class=\"failed\"><thead><tr><th>image</th><th>reason</th><th>detail</th></tr></thead><tbody>");
            foreach (var row in rows.Failed)
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(row.Key)}</td><td><code>{E(row.ErrorCode)}</code></td><td>{E(row.ErrorMessage)}</td></tr>");
            html.Append("</tbody></table></section>");
        }

        html.Append("<section><h2>Timings</h2><table><tbody>");
        html.Append(CultureInfo.InvariantCulture, $"<tr><th>started</th><td>{E(summary.StartedAt?.ToString("u", CultureInfo.InvariantCulture))}</td></tr>");
        html.Append(CultureInfo.InvariantCulture, $"<tr><th>finished</th><td>{E(summary.FinishedAt?.ToString("u", CultureInfo.InvariantCulture))}</td></tr>");
        foreach (var (name, seconds) in summary.TimingsSeconds)
            html.Append(CultureInfo.InvariantCulture, $"<tr><th>{E(name)}</th><td>{seconds.ToString("0.###", CultureInfo.InvariantCulture)} s</td></tr>");
        html.Append(CultureInfo.InvariantCulture, $"<tr><th>parts merged</th><td>{N(summary.Parts)}</td></tr></tbody></table></section>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"files\">Predictions: {E(summary.Predictions)} &middot; summary: {ResultWriter.SummaryName}</p>");
        html.Append("</main></body></html>");
        return new UTF8Encoding(false).GetBytes(html.ToString());
    }

    private static string Tile(string id, string label, string value) => $"<div class=\"tile\" id=\"{id}\"><span class=\"label\">{label}</span><span class=\"value\">{E(value)}</span></div>";

    private static string Bars(IReadOnlyDictionary<string, long> counts, string none, string listClass)
    {
        if (counts.Count == 0)
            return $"<p class=\"empty\">{none}</p>";
        var max = Math.Max(1, counts.Values.Max());
        var list = new StringBuilder($"<ul class=\"{listClass}\">");
        foreach (var (name, count) in counts)
        {
            var percent = (100.0 * count / max).ToString("0.#", CultureInfo.InvariantCulture);
            list.Append(CultureInfo.InvariantCulture, $"<li><span class=\"name\">{E(name)}</span><span class=\"bar\"><span style=\"width:{percent}%\"></span></span><span class=\"count\">{N(count)}</span></li>");
        }
        return list.Append("</ul>").ToString();
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Duration(double seconds) => seconds < 90
        ? seconds.ToString("0.#", CultureInfo.InvariantCulture) + " s"
        : TimeSpan.FromSeconds(Math.Round(seconds)).ToString(seconds >= 86400 ? @"d\.hh\:mm\:ss" : @"hh\:mm\:ss", CultureInfo.InvariantCulture);

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    private const string Css = """
        :root{--ink:#1d2433;--muted:#5b6577;--line:#e3e7ee;--accent:#2f6fed;--bad:#c8463d;--bg:#f6f8fb}
        body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",sans-serif;color:var(--ink);background:var(--bg)}
        header{padding:20px 28px;background:#fff;border-bottom:1px solid var(--line)}h1{margin:0;font-size:20px}
        .meta{margin:4px 0 0;color:var(--muted);word-break:break-all}main{padding:20px 28px;max-width:1100px}
        section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 18px;margin-bottom:16px}
        h2{font-size:14px;margin:0 0 10px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
        .tiles{display:flex;gap:12px;flex-wrap:wrap;background:none;border:0;padding:0}
        .tile{flex:1 1 140px;background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 16px}
        .tile .label{display:block;color:var(--muted);font-size:12px}.tile .value{font-size:24px;font-weight:600}
        #failed .value{color:var(--bad)}.columns{display:grid;grid-template-columns:1fr 1fr;gap:16px}
        .columns section{margin:0 0 16px}@media(max-width:800px){.columns{grid-template-columns:1fr}}
        .bars{list-style:none;margin:0;padding:0}.bars li{display:grid;grid-template-columns:minmax(90px,40%) 1fr 64px;gap:8px;align-items:center;margin:3px 0}
        .bars .name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.bars .count{text-align:right;font-variant-numeric:tabular-nums}
        .bar{background:var(--line);border-radius:3px;height:10px;display:block}.bar span{display:block;height:10px;border-radius:3px;background:var(--accent)}.bars.bad .bar span{background:var(--bad)}
        .chart{width:100%;height:auto}.chart .grid{stroke:var(--line)}.chart .tick,.chart .axis{fill:var(--muted);font-size:11px}
        .chart .line{fill:none;stroke:var(--accent);stroke-width:2}.chart .area{fill:var(--accent);opacity:.12}
        table{border-collapse:collapse;width:100%}th{width:180px}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
        .failed td:first-child{word-break:break-all}.empty,.files{color:var(--muted)}
        """;
}
