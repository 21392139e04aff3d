using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Inference;

/// <summary>
/// One place that sets manifest fields: the manifest file, the model's metadata_props, a Hugging
/// Face preprocessor_config.json. Each is read into the manifest's JSON shape, so every source is
/// parsed and checked by the same rules and named in errors and in inspect-model.
/// </summary>
/// <param name="Source">Where the fields come from, for messages ("small.manifest.json", "metadata_props").</param>
/// <param name="Fields">The fields it sets; null fields it leaves to the layers below.</param>
internal sealed record ManifestLayer(string Source, ManifestFile Fields)
{
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Parses manifest JSON from <paramref name="source"/>.</summary>
    /// <exception cref="ModelLoadException">Not valid JSON, or a field of the wrong type.</exception>
    public static ManifestLayer Parse(string modelPath, string source, string json)
    {
        try
        {
            return new ManifestLayer(source, JsonSerializer.Deserialize<ManifestFile>(json, JsonOptions) ?? new ManifestFile());
        }
        catch (JsonException e)
        {
            throw new ModelLoadException(modelPath, $"{source} is not valid: {e.Message}", e);
        }
    }
}
