using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Storage.Results;

/// <summary>
/// The JSON Lines form of <see cref="PredictionRow"/>:
/// <c>{"key":"a.jpg","top":[{"index":1,"label":"goldfish","score":0.93}]}</c> or
/// <c>{"key":"b.jpg","top":[],"errorCode":"decode_failed","errorMessage":"..."}</c>. A job's named
/// outputs (<see cref="PredictionRow.Outputs"/>) follow as fields of their names holding arrays of
/// floats (<c>"features":[0.12,...]</c>, shortest round-trip form; a NaN or infinity as <c>null</c>,
/// which JSON cannot write otherwise and which reads back as NaN).
/// </summary>
public static class PredictionJson
{
    // A part writer's buffer: small enough that it and its encoder's bytes stay off the large object heap.
    private const int PartWriterChars = 4096;

    /// <summary>camelCase, nulls omitted, one line per object.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };

    /// <summary>One row as one line of JSON (no newline).</summary>
    public static string Serialize(PredictionRow row)
    {
        var json = JsonSerializer.Serialize(row, Options);
        return row.Outputs is { Count: > 0 } outputs ? json[..^1] + WriteOutputs(outputs) + "}" : json;
    }

    /// <summary>
    /// Parses one line, taking the fields named in <paramref name="outputs"/> as the row's
    /// <see cref="PredictionRow.Outputs"/> (float vectors) instead of passthrough columns.
    /// </summary>
    public static PredictionRow Parse(string line, IReadOnlyCollection<string>? outputs) => Parse(Encoding.UTF8.GetBytes(line), outputs);

    /// <summary>Parses one line; throws <see cref="FormatException"/> on a malformed line.</summary>
    public static PredictionRow Parse(string line) => Parse(Encoding.UTF8.GetBytes(line), null);

    /// <summary>
    /// Parses one line from its UTF-8 bytes, taking the fields named in <paramref name="outputs"/> as the row's
    /// <see cref="PredictionRow.Outputs"/>; throws <see cref="FormatException"/> on a malformed line.
    /// </summary>
    public static PredictionRow Parse(ReadOnlySpan<byte> utf8, IReadOnlyCollection<string>? outputs)
    {
        PredictionRow? row;
        try
        {
            row = JsonSerializer.Deserialize<PredictionRow>(utf8, Options);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Not a prediction row: {Truncate(utf8)}", ex);
        }
        if (row is null || string.IsNullOrEmpty(row.Key))
            throw new FormatException($"Not a prediction row: {Truncate(utf8)}");
        row = row with { Top = row.Top ?? [] };
        if (outputs is not { Count: > 0 } || row.Columns is not { } columns)
            return row;
        Dictionary<string, float[]>? vectors = null;
        foreach (var name in outputs)
        {
            if (columns.Remove(name, out var value) && value.ValueKind == JsonValueKind.Array)
                (vectors ??= new(StringComparer.Ordinal))[name] = value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Number ? v.GetSingle() : float.NaN).ToArray();
        }

        return row with { Outputs = vectors, Columns = columns.Count > 0 ? columns : null };
    }

    /// <summary>
    /// The non-empty lines of a JSON Lines object, as slices of its bytes. Readers parse each line from them
    /// rather than decoding the object into one string first: a part of a few hundred rows would be a string
    /// on the large object heap, and a merge reads thousands of parts in seconds.
    /// </summary>
    public static IEnumerable<ReadOnlyMemory<byte>> Lines(ReadOnlyMemory<byte> utf8)
    {
        while (!utf8.IsEmpty)
        {
            var end = utf8.Span.IndexOf((byte)'\n');
            var line = end < 0 ? utf8 : utf8[..end];
            utf8 = end < 0 ? ReadOnlyMemory<byte>.Empty : utf8[(end + 1)..];
            if (!line.IsEmpty)
                yield return line;
        }
    }

    /// <summary>Writes rows as JSON Lines (UTF-8, '\n' line ends).</summary>
    public static async Task WriteAsync(Stream stream, IEnumerable<PredictionRow> rows, CancellationToken cancellationToken = default)
    {
        // Every unit writes its part through this: a buffer of 64K chars (and its encoder's bytes) would be two
        // large-object-heap arrays a unit, and their churn alone set off most of a job's full collections.
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), PartWriterChars, leaveOpen: true) { NewLine = "\n" };
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await writer.WriteLineAsync(Serialize(row)).ConfigureAwait(false);
        }
    }

    // ,"name":[f,f,...] for each output, in the dictionary's order.
    private static string WriteOutputs(IReadOnlyDictionary<string, float[]> outputs)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Options.Encoder, SkipValidation = true }))
        {
            foreach (var (name, vector) in outputs)
            {
                writer.WritePropertyName(name);
                writer.WriteStartArray();
                foreach (var value in vector)
                {
                    if (float.IsFinite(value))
                        writer.WriteNumberValue(value);
                    else
                        writer.WriteNullValue();
                }

                writer.WriteEndArray();
            }
        }

        // The writer, unvalidated, writes the first property without its leading comma.
        return "," + Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string Truncate(ReadOnlySpan<byte> utf8)
    {
        var text = Encoding.UTF8.GetString(utf8[..Math.Min(utf8.Length, 800)]);
        return text.Length <= 200 ? text : text[..200] + "...";
    }
}
