using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Inference;

/// <summary>
/// Predictions as JSON Lines, one object per image:
/// <c>{"key":..,"top":[{"index":..,"label":..,"score":..}],"error":null}</c> or, for a failed image,
/// <c>"top":[]</c> with <c>"error":{"code":..,"message":..}</c>.
/// </summary>
public static class PredictionJsonLines
{
    /// <summary>The serializer settings (camelCase, compact, nulls written).</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = false,
    };

    /// <summary>One line, without the newline.</summary>
    public static string Serialize(Prediction prediction) => JsonSerializer.Serialize(prediction, Options);

    /// <summary>Parses one line.</summary>
    public static Prediction Deserialize(string line) =>
        JsonSerializer.Deserialize<Prediction>(line, Options) ?? throw new JsonException("A prediction line is null.");

    /// <summary>Writes each prediction as one line; returns how many were written.</summary>
    public static async Task<long> WriteAsync(TextWriter writer, IAsyncEnumerable<Prediction> predictions, CancellationToken cancellationToken = default)
    {
        long count = 0;
        await foreach (var prediction in predictions.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            await writer.WriteLineAsync(Serialize(prediction).AsMemory(), cancellationToken).ConfigureAwait(false);
            count++;
        }

        return count;
    }

    /// <summary>Reads every line of a JSON Lines text.</summary>
    public static IEnumerable<Prediction> ReadAll(TextReader reader)
    {
        while (reader.ReadLine() is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return Deserialize(line);
            }
        }
    }

    /// <summary>UTF-8 bytes of many predictions, one line each.</summary>
    public static byte[] ToUtf8(IEnumerable<Prediction> predictions)
    {
        var text = new StringBuilder();
        foreach (var prediction in predictions)
        {
            text.Append(Serialize(prediction)).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
