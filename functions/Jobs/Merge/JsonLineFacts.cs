using System.Text.Json;
using Serverless.Storage.Results;

namespace Serverless.Jobs.Merge;

/// <summary>
/// What a JSON Lines merge counts of a classified row, read from its line without building the row: its key's
/// hash and its top class's label. A merge copies lines as they are, so parsing every row into a
/// <see cref="PredictionRow"/> (its key, classes, labels and listing fields) only made garbage: at a few
/// thousand rows a second that set the host's memory peak of a large job.
/// </summary>
internal static class JsonLineFacts
{
    /// <summary>Keys and labels longer than this are left to the full parse.</summary>
    public const int MaxChars = 1024;

    /// <summary>
    /// Reads a successful row's key hash and top label (copied into <paramref name="label"/>, at least
    /// <see cref="MaxChars"/> long; <paramref name="labelLength"/> -1 when it has no classes). False for a failed
    /// row, malformed JSON, a line without a key, or a key or label too long: the caller parses those in full.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> line, Span<char> label, out ulong keyHash, out int labelLength)
    {
        (keyHash, labelLength) = (0, -1);
        var hasKey = false;
        Span<char> key = stackalloc char[MaxChars];
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("key"u8))
                {
                    if (!reader.Read() || !TryCopy(ref reader, key, out var length) || length == 0)
                        return false;
                    (keyHash, hasKey) = (KeyHash.Of(key[..length]), true);
                }
                else if (reader.ValueTextEquals("errorCode"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.Null)
                        return false;
                }
                else if (reader.ValueTextEquals("top"u8))
                {
                    if (!reader.Read() || !TryReadTopLabel(ref reader, label, out labelLength))
                        return false;
                }
                else if (!reader.Read() || !reader.TrySkip())
                    return false;
            }
            return hasKey && reader.TokenType == JsonTokenType.EndObject && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // The first element's label of the top array, the rest skipped.
    private static bool TryReadTopLabel(ref Utf8JsonReader reader, scoped Span<char> label, out int length)
    {
        length = -1;
        if (reader.TokenType == JsonTokenType.Null)
            return true;
        if (reader.TokenType != JsonTokenType.StartArray)
            return false;
        var first = true;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (!first || reader.TokenType != JsonTokenType.StartObject)
            {
                if (!reader.TrySkip())
                    return false;
                continue;
            }
            first = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isLabel = reader.ValueTextEquals("label"u8);
                if (!reader.Read())
                    return false;
                if (isLabel)
                {
                    if (!TryCopy(ref reader, label, out length))
                        return false;
                }
                else if (!reader.TrySkip())
                    return false;
            }
            if (length < 0)
                return false; // a class without a label: the full parse says what is wrong
        }
        return reader.TokenType == JsonTokenType.EndArray;
    }

    private static bool TryCopy(ref Utf8JsonReader reader, scoped Span<char> into, out int length)
    {
        length = 0;
        // Unescaped, a string has at most as many chars as its JSON has bytes.
        if (reader.TokenType != JsonTokenType.String || reader.HasValueSequence || reader.ValueSpan.Length > into.Length)
            return false;
        length = reader.CopyString(into);
        return true;
    }
}
