namespace Serverless.Inference;

/// <summary>
/// Finds the manifest layers of a model: a Hugging Face <c>preprocessor_config.json</c> beside it,
/// its ONNX metadata_props, and <c>&lt;stem&gt;.manifest.json</c> beside it, in rising priority.
/// </summary>
public static class ManifestLoader
{
    /// <summary>The manifest path for a model: same folder and stem, ".manifest.json".</summary>
    public static string ManifestPathFor(string modelPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, Path.GetFileNameWithoutExtension(modelPath) + ".manifest.json");

    /// <summary>
    /// Resolves the files beside <paramref name="modelPath"/> (not the model itself: no metadata, no
    /// graph), or the bare preset when there are none. <paramref name="presetOverride"/> replaces the
    /// files' preset; fields the files set still apply.
    /// </summary>
    /// <exception cref="ModelLoadException">Unreadable or inconsistent manifest, unknown preset.</exception>
    public static ModelManifest Load(string modelPath, string? presetOverride = null) =>
        ManifestResolver.Resolve(modelPath, Layers(modelPath, null), presetOverride, null).Manifest;

    /// <summary>The layers, lowest priority first; <paramref name="metadata"/> is the model's metadata_props.</summary>
    internal static IReadOnlyList<ManifestLayer> Layers(string modelPath, IReadOnlyDictionary<string, string>? metadata)
    {
        var layers = new List<ManifestLayer>();
        if (HuggingFacePreprocessor.Read(modelPath) is { } huggingFace)
        {
            layers.Add(huggingFace);
        }

        if (metadata is not null && ManifestMetadata.Read(modelPath, metadata) is { } embedded)
        {
            layers.Add(embedded);
        }

        var path = ManifestPathFor(modelPath);
        if (File.Exists(path))
        {
            layers.Add(ManifestLayer.Parse(modelPath, Path.GetFileName(path), File.ReadAllText(path)));
        }

        return layers;
    }
}
