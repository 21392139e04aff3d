using System.Text.Json;

namespace Serverless.Inference;

/// <summary>
/// Resolves a manifest from its layers, lowest first (preprocessor_config.json, metadata_props, the
/// manifest file), over a preset, with what the graph fixes filling the gaps: each field takes the
/// highest layer that sets it, else the graph (layout, width, height), else the preset. A layer that
/// sets what the graph contradicts is a load error naming that layer.
/// </summary>
internal static class ManifestResolver
{
    /// <param name="modelPath">For errors.</param>
    /// <param name="layers">Lowest priority first.</param>
    /// <param name="presetOverride">A preset named by the caller (--preset), over any layer's.</param>
    /// <param name="inputDims">The graph's image input dimensions (-1 where symbolic), or null when unknown.</param>
    public static ResolvedManifest Resolve(string modelPath, IReadOnlyList<ManifestLayer> layers, string? presetOverride, int[]? inputDims)
    {
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        (T? Value, string? Source) Pick<T>(Func<ManifestFile, T?> get)
            where T : struct
        {
            var layer = layers.LastOrDefault(l => get(l.Fields) is not null);
            return layer is null ? (null, null) : (get(layer.Fields), layer.Source);
        }

        (T? Value, string? Source) PickRef<T>(Func<ManifestFile, T?> get)
            where T : class
        {
            var layer = layers.LastOrDefault(l => get(l.Fields) is not null);
            return layer is null ? (null, null) : (get(layer.Fields), layer.Source);
        }

        var (presetName, presetSource) = presetOverride is not null ? (presetOverride, "--preset") : PickRef(f => f.Preset);
        presetName ??= ManifestPresets.Default;
        sources["preset"] = presetSource ?? "default";
        ModelManifest preset;
        try
        {
            preset = ManifestPresets.Get(presetName);
        }
        catch (ArgumentException e)
        {
            throw new ModelLoadException(modelPath, e.Message, e);
        }

        var fromPreset = $"preset {preset.Preset}";
        T Take<T>(string field, (T? Value, string? Source) picked, T fallback, string fallbackSource)
            where T : struct
        {
            sources[field] = picked.Source ?? fallbackSource;
            return picked.Value ?? fallback;
        }

        T? TakeRef<T>(string field, (T? Value, string? Source) picked, T? fallback, string fallbackSource)
            where T : class
        {
            sources[field] = picked.Source ?? fallbackSource;
            return picked.Value ?? fallback;
        }

        var cropPick = Pick(f => f.Crop);
        var (crop, cropSide) = ReadCrop(modelPath, cropPick.Source, cropPick.Value);
        var graph = GraphShape.From(inputDims);

        var layoutPick = Pick(f => f.Layout);
        if (layoutPick.Value is { } declared && graph.Layout is { } actual && declared != actual)
        {
            throw new ModelLoadException(modelPath, $"the image input has shape {GraphShape.Format(inputDims!)}, which is {actual}, but {layoutPick.Source} says {declared}.");
        }

        var layout = Take("layout", layoutPick, graph.Layout ?? preset.Layout, graph.Layout is null ? fromPreset : "graph");
        var (graphHeight, graphWidth) = graph.Size(layout);
        var width = Side("width", Pick(f => f.Width), cropSide, cropPick.Source, graphWidth, preset.Width);
        var height = Side("height", Pick(f => f.Height), cropSide, cropPick.Source, graphHeight, preset.Height);
        var resizePick = Pick(f => f.ResizeShorter);
        sources["resizeShorter"] = resizePick.Source ?? fromPreset;
        var m = preset with
        {
            InputName = TakeRef("inputName", PickRef(f => f.InputName), null, "the model's only input"),
            OutputName = TakeRef("outputName", PickRef(f => f.OutputName), null, "the model's first output"),
            Layout = layout,
            Width = width,
            Height = height,
            ResizeShorter = resizePick.Value ?? preset.ResizeShorter,
            Crop = Take("crop", (crop, cropPick.Source), preset.Crop, fromPreset),
            Interpolation = Take("interpolation", Pick(f => f.Interpolation), preset.Interpolation, fromPreset),
            Mean = TakeRef("mean", PickRef(f => f.Mean), preset.Mean, fromPreset)!,
            Std = TakeRef("std", PickRef(f => f.Std), preset.Std, fromPreset)!,
            ColorOrder = Take("colorOrder", Pick(f => f.ColorOrder), preset.ColorOrder, fromPreset),
            Scale = Take("scale", Pick(f => f.Scale), preset.Scale, fromPreset),
            Labels = TakeRef("labels", PickRef(f => f.Labels), null, "no manifest"),
            OutputIsProbabilities = Take("outputIsProbabilities", Pick(f => f.OutputIsProbabilities), preset.OutputIsProbabilities, fromPreset),
        };

        // A preset's resize side goes with its crop (256 for 224): without a crop there is none, for
        // another crop size it keeps the ratio (torchvision's 342 for 299). An explicit resizeShorter
        // is the user's and is only validated.
        if (resizePick.Source is null && !m.Crop)
        {
            m = m with { ResizeShorter = null };
        }
        else if (resizePick.Source is null && m.ResizeShorter is { } shorter && shorter * 224 != 256 * Math.Max(m.Width, m.Height))
        {
            m = m with { ResizeShorter = (int)Math.Round(Math.Max(m.Width, m.Height) * 256.0 / 224.0) };
            sources["resizeShorter"] = $"{fromPreset}, scaled to the {Math.Max(m.Width, m.Height)} crop";
        }

        Validate(modelPath, m);
        return new ResolvedManifest(m, sources);

        int Side(string field, (int? Value, string? Source) own, int? fromCrop, string? cropSource, int? fromGraph, int fallback)
        {
            var (value, source) = own.Value is not null ? own : fromCrop is not null ? (fromCrop, cropSource) : (null, null);
            if (value is { } v && fromGraph is { } g && v != g)
            {
                throw new ModelLoadException(modelPath, $"the image input has shape {GraphShape.Format(inputDims!)} ({layout}), which is {field} {g}, but {source} says {v}.");
            }

            sources[field] = source ?? (fromGraph is null ? fromPreset : "graph");
            return value ?? fromGraph ?? fallback;
        }
    }

    private static (bool? Crop, int? Side) ReadCrop(string modelPath, string? source, JsonElement? element) => element?.ValueKind switch
    {
        null or JsonValueKind.Null or JsonValueKind.Undefined => (null, null),
        JsonValueKind.True => (true, null),
        JsonValueKind.False => (false, null),
        JsonValueKind.Number when element.Value.TryGetInt32(out var side) && side > 0 => (true, side),
        _ => throw new ModelLoadException(modelPath, $"{source}: field 'crop' must be true, false or a positive integer, not {element}."),
    };

    private static void Validate(string modelPath, ModelManifest m)
    {
        void Fail(string message) => throw new ModelLoadException(modelPath, "manifest: " + message);

        if (m.Width <= 0 || m.Height <= 0)
        {
            Fail($"width and height must be positive (got {m.Width}x{m.Height}).");
        }

        if (m.Mean is not { Length: 3 } || m.Std is not { Length: 3 })
        {
            Fail("mean and std must have 3 values each.");
        }

        if (m.Std.Any(s => s == 0 || !float.IsFinite(s)) || m.Mean.Any(v => !float.IsFinite(v)))
        {
            Fail("std must be non-zero and mean/std finite.");
        }

        if (m.Scale <= 0 || !float.IsFinite(m.Scale))
        {
            Fail($"scale must be positive (got {m.Scale}).");
        }

        if (m.ResizeShorter is not null && !m.Crop)
        {
            Fail("resizeShorter needs crop (without crop the image is resized straight to width x height).");
        }

        if (m.ResizeShorter is { } r && r < Math.Max(m.Width, m.Height))
        {
            Fail($"resizeShorter {r} is smaller than the {m.Width}x{m.Height} crop.");
        }
    }
}
