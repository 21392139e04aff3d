using System.Text.Json;
using System.Text.Json.Nodes;
using Onnx;
using Serverless.ModelZoo.Models;

namespace Serverless.ModelZoo;

/// <summary>
/// The manifest the inference library reads for a zoo model, written twice: as
/// <c>&lt;stem&gt;.manifest.json</c> beside it, and into the model's metadata_props (one entry per
/// field, JSON values, strings bare), so that the .onnx file alone carries it. The shape is owned by
/// functions/Inference; this mirrors it.
/// </summary>
internal static class ManifestFile
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
    };

    public static void Write(string path, ZooModel model, string? labelsFileName) =>
        File.WriteAllText(path, JsonSerializer.Serialize(Of(model, labelsFileName), Options) + "\n");

    /// <summary>Adds the manifest fields (all but the labels file, which travels beside) to the model's metadata_props.</summary>
    public static void Embed(ZooModel model)
    {
        var fields = JsonSerializer.SerializeToNode(Of(model, labels: null), Options)!.AsObject();
        foreach (var (key, value) in fields)
        {
            if (value is not null)
            {
                var text = value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
                model.Model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = text });
            }
        }
    }

    private static Manifest Of(ZooModel model, string? labels) => new(
        ImageNetNormalization.Preset,
        model.InputName,
        model.OutputName,
        model.Layout,
        model.Width,
        model.Height,
        labels,
        model.OutputIsProbabilities);

    private sealed record Manifest(
        string Preset,
        string InputName,
        string OutputName,
        string Layout,
        int Width,
        int Height,
        string? Labels,
        bool OutputIsProbabilities);
}
