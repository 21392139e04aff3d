using System.Globalization;
using System.Text;

namespace Serverless.Storage.Results;

/// <summary>
/// The CSV form (RFC 4180) of <see cref="PredictionRow"/>: one row per image with the top-1
/// class in its own columns and the whole top-k as <c>label:score|label:score</c>.
/// </summary>
public static class PredictionCsv
{
    /// <summary>The header line.</summary>
    public const string Header = "key,label,index,score,top_k,error_code,error_message,model_sha256,etag";

    /// <summary>The names of <see cref="Header"/>'s columns: a passthrough column may not take one.</summary>
    public static IReadOnlySet<string> FixedNames { get; } = Header.Split(',').ToHashSet(StringComparer.Ordinal);

    /// <summary>The header line of a job that carries a manifest's <paramref name="passthrough"/> columns after the fixed ones.</summary>
    public static string HeaderWith(IReadOnlyList<string>? passthrough) =>
        passthrough is { Count: > 0 } ? Header + "," + string.Join(',', passthrough.Select(Quote)) : Header;

    /// <summary>One row as one CSV line (no newline), with the row's values of <paramref name="passthrough"/> after the fixed columns.</summary>
    public static string Format(PredictionRow row, IReadOnlyList<string>? passthrough)
    {
        if (passthrough is not { Count: > 0 })
            return Format(row);
        var extra = passthrough.Select(c => Quote((row.Columns?.GetValueOrDefault(c) is { } value ? ColumnText.Of(value) : null) ?? string.Empty));
        return Format(row) + "," + string.Join(',', extra);
    }

    /// <summary>One row as one CSV line (no newline).</summary>
    public static string Format(PredictionRow row)
    {
        var best = row.Top.Count > 0 ? row.Top[0] : (LabelScore?)null;
        var topK = string.Join('|', row.Top.Select(t => $"{t.Label}:{t.Score.ToString("0.######", CultureInfo.InvariantCulture)}"));
        return string.Join(',',
            Quote(row.Key),
            Quote(best?.Label ?? string.Empty),
            best?.Index.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
            best?.Score.ToString("R", CultureInfo.InvariantCulture) ?? string.Empty,
            Quote(topK),
            Quote(row.ErrorCode ?? string.Empty),
            Quote(row.ErrorMessage ?? string.Empty),
            row.ModelSha256 ?? string.Empty,
            Quote(row.ETag ?? string.Empty));
    }

    /// <summary>Quotes a field when it holds a comma, quote, line break or edge whitespace.</summary>
    public static string Quote(string field)
    {
        var needs = field.AsSpan().IndexOfAny(",\"\r\n") >= 0
            || (field.Length > 0 && (char.IsWhiteSpace(field[0]) || char.IsWhiteSpace(field[^1])));
        return needs ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
    }

    /// <summary>Writes the header and the rows (UTF-8, '\n' line ends).</summary>
    public static async Task WriteAsync(Stream stream, IEnumerable<PredictionRow> rows, CancellationToken cancellationToken = default)
    {
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        await writer.WriteLineAsync(Header).ConfigureAwait(false);
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await writer.WriteLineAsync(Format(row)).ConfigureAwait(false);
        }
    }
}
