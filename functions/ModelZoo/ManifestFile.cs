using System.Text.Json;
using Serverless.ModelZoo.Models;

namespace Serverless.ModelZoo;

/// <summary>
/// Writes the model manifest JSON that the inference library reads beside a model
/// (<c>&lt;stem&gt;.manifest.json</c>). The shape is owned by functions/Inference; this mirrors it.
/// </summary>
internal static class ManifestFile
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
    };

    public static void Write(string path, ZooModel model, string labelsFileName)
    {
        var manifest = new Manifest(
            ImageNetNormalization.Preset,
            model.InputName,
            model.OutputName,
            model.Layout,
            model.Width,
            model.Height,
            labelsFileName,
            model.OutputIsProbabilities);
        File.WriteAllText(path, JsonSerializer.Serialize(manifest, Options) + "\n");
    }

    private sealed record Manifest(
        string Preset,
        string InputName,
        string OutputName,
        string Layout,
        int Width,
        int Height,
        string Labels,
        bool OutputIsProbabilities);
}
