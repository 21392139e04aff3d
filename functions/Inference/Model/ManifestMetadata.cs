using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.Inference;

/// <summary>
/// Manifest fields carried inside the model, as ONNX metadata_props: one entry per field, named as
/// in the manifest JSON ("preset", "layout", "mean", ...), its value JSON ("[0.5, 0.5, 0.5]",
/// "224", "true") or a bare string ("imagenet"). Entries of other names (author, framework) are not ours and are skipped.
/// </summary>
internal static class ManifestMetadata
{
    public const string Source = "metadata_props";

    /// <summary>The field names a manifest has, as metadata keys.</summary>
    public static IReadOnlySet<string> Keys { get; } = typeof(ManifestFile).GetProperties()
        .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).ToHashSet(StringComparer.Ordinal);

    /// <summary>The layer of <paramref name="metadata"/>, or null when it sets no manifest field.</summary>
    public static ManifestLayer? Read(string modelPath, IReadOnlyDictionary<string, string> metadata)
    {
        var json = new JsonObject();
        foreach (var (key, value) in metadata)
        {
            if (Keys.Contains(key))
            {
                json[key] = ParseValue(value);
            }
        }

        return json.Count == 0 ? null : ManifestLayer.Parse(modelPath, Source, json.ToJsonString());
    }

    private static JsonNode? ParseValue(string value)
    {
        try
        {
            return JsonNode.Parse(value);
        }
        catch (JsonException)
        {
            return JsonValue.Create(value);
        }
    }
}
