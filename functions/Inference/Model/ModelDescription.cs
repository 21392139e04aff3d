using System.Globalization;

namespace Serverless.Inference;

/// <summary>What a loaded model will use and why, one setting a row: what <c>serverless inspect-model</c> prints.</summary>
/// <param name="Model">The .onnx file.</param>
/// <param name="Settings">Setting, value, and where the value came from.</param>
/// <param name="Outputs">The graph's outputs, the candidates for a job's <c>outputs</c>, the class and features outputs marked.</param>
public sealed record ModelDescription(string Model, IReadOnlyList<ModelSetting> Settings, IReadOnlyList<ModelOutput> Outputs)
{
    /// <summary>Describes <paramref name="model"/>.</summary>
    public static ModelDescription Of(LoadedModel model)
    {
        var m = model.Manifest;
        var s = model.Sources;
        var input = model.Session.InputMetadata[model.Signature.InputName];
        var output = model.Session.OutputMetadata[model.Signature.OutputName];
        string Floats(float[] values) => string.Join(", ", values.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)));

        List<ModelSetting> rows =
        [
            new("input", $"{model.Signature.InputName} {GraphShape.Format(input.Dimensions)}", s["inputName"]),
            new("output", $"{model.Signature.OutputName} {GraphShape.Format(output.Dimensions)}, {model.Signature.ClassCount?.ToString(CultureInfo.InvariantCulture) ?? "?"} classes", s["outputName"]),
            new("batch", model.Batching, model.BatchingReason),
            new("labels", model.Labels is { } l ? $"{l.Count} ({string.Join(", ", l.Take(3))}{(l.Count > 3 ? ", ..." : "")})" : "none", model.LabelsSource),
            new("preset", m.Preset, s["preset"]),
            new("layout", m.Layout.ToString(), s["layout"]),
            new("size", $"{m.Width}x{m.Height} (width x height)", s["width"] == s["height"] ? s["width"] : $"{s["width"]}; {s["height"]}"),
            new("resize", m.ResizeShorter is { } r ? $"shorter side to {r}" : m.Crop ? "to cover the crop" : $"straight to {m.Width}x{m.Height}", s["resizeShorter"]),
            new("crop", m.Crop ? $"center {m.Width}x{m.Height}" : "none", s["crop"]),
            new("interpolation", m.Interpolation.ToString().ToLowerInvariant() + " (PIL's, antialiased)", s["interpolation"]),
            new("colorOrder", m.ColorOrder.ToString(), s["colorOrder"]),
            new("scale", m.Scale.ToString("0.########", CultureInfo.InvariantCulture), s["scale"]),
            new("mean", Floats(m.Mean), s["mean"]),
            new("std", Floats(m.Std), s["std"]),
            new("scores", m.OutputIsProbabilities ? "probabilities, as output" : "logits, softmax applied", s["outputIsProbabilities"]),
        ];
        return new ModelDescription(model.ModelPath, rows, ModelOutputs.Of(model));
    }
}

/// <summary>One row of a <see cref="ModelDescription"/>.</summary>
/// <param name="Name">The setting (manifest field names where there is one).</param>
/// <param name="Value">What will be used.</param>
/// <param name="Source">Why: a manifest layer, the graph, or the preset.</param>
public sealed record ModelSetting(string Name, string Value, string Source);
