using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Storage.Results;

/// <summary>
/// The JSON Lines form of <see cref="PredictionRow"/>:
/// <c>{"key":"a.jpg","top":[{"index":1,"label":"goldfish","score":0.93}]}</c> or
/// <c>{"key":"b.jpg","top":[],"errorCode":"decode_failed","errorMessage":"..."}</c>.
/// </summary>
public static class PredictionJson
{
    /// <summary>camelCase, nulls omitted, one line per object.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };

    /// <summary>One row as one line of JSON (no newline).</summary>
    public static string Serialize(PredictionRow row) => JsonSerializer.Serialize(row, Options);

    /// <summary>Parses one line; throws <see cref="FormatException"/> on a malformed line.</summary>
    public static PredictionRow Parse(string line)
    {
        try
        {
            var row = JsonSerializer.Deserialize<PredictionRow>(line, Options);
            if (row is null || string.IsNullOrEmpty(row.Key))
            {
                throw new FormatException($"Not a prediction row: {Truncate(line)}");
            }

            return row with { Top = row.Top ?? [] };
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Not a prediction row: {Truncate(line)}", ex);
        }
    }

    /// <summary>Writes rows as JSON Lines (UTF-8, '\n' line ends).</summary>
    public static async Task WriteAsync(Stream stream, IEnumerable<PredictionRow> rows, CancellationToken cancellationToken = default)
    {
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await writer.WriteLineAsync(Serialize(row)).ConfigureAwait(false);
        }
    }

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200] + "...";
}
