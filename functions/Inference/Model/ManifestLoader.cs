using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Inference;

/// <summary>Reads <c>&lt;stem&gt;.manifest.json</c> beside a model and resolves it over its preset.</summary>
public static class ManifestLoader
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The manifest path for a model: same folder and stem, ".manifest.json".</summary>
    public static string ManifestPathFor(string modelPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, Path.GetFileNameWithoutExtension(modelPath) + ".manifest.json");

    /// <summary>
    /// Loads the manifest beside <paramref name="modelPath"/>, or the bare preset when there is none.
    /// <paramref name="presetOverride"/> replaces the file's preset; fields the file sets still apply.
    /// </summary>
    /// <exception cref="ModelLoadException">Unreadable or inconsistent manifest, unknown preset.</exception>
    public static ModelManifest Load(string modelPath, string? presetOverride = null)
    {
        var path = ManifestPathFor(modelPath);
        ManifestFile file = new();
        if (File.Exists(path))
        {
            try
            {
                file = JsonSerializer.Deserialize<ManifestFile>(File.ReadAllText(path), JsonOptions) ?? new ManifestFile();
            }
            catch (JsonException e)
            {
                throw new ModelLoadException(modelPath, $"manifest '{path}' is not valid: {e.Message}", e);
            }
        }

        return Resolve(modelPath, file, presetOverride);
    }

    internal static ModelManifest Resolve(string modelPath, ManifestFile file, string? presetOverride)
    {
        var presetName = presetOverride ?? file.Preset ?? ManifestPresets.Default;
        ModelManifest preset;
        try
        {
            preset = ManifestPresets.Get(presetName);
        }
        catch (ArgumentException e)
        {
            throw new ModelLoadException(modelPath, e.Message, e);
        }

        var (crop, cropSide) = ReadCrop(modelPath, file.Crop);
        var manifest = preset with
        {
            InputName = file.InputName ?? preset.InputName,
            OutputName = file.OutputName ?? preset.OutputName,
            Layout = file.Layout ?? preset.Layout,
            Width = file.Width ?? cropSide ?? preset.Width,
            Height = file.Height ?? cropSide ?? preset.Height,
            ResizeShorter = file.ResizeShorter ?? preset.ResizeShorter,
            Crop = crop ?? preset.Crop,
            Interpolation = file.Interpolation ?? preset.Interpolation,
            Mean = file.Mean ?? preset.Mean,
            Std = file.Std ?? preset.Std,
            ColorOrder = file.ColorOrder ?? preset.ColorOrder,
            Scale = file.Scale ?? preset.Scale,
            Labels = file.Labels ?? preset.Labels,
            OutputIsProbabilities = file.OutputIsProbabilities ?? preset.OutputIsProbabilities,
        };

        // A preset's resize side goes with its crop (256 for 224); for another crop size keep the ratio
        // (torchvision's 342 for 299). An explicit resizeShorter is the user's and is only validated.
        if (file.ResizeShorter is null && manifest.Crop && manifest.ResizeShorter is { } shorter && shorter < Math.Max(manifest.Width, manifest.Height))
        {
            manifest = manifest with { ResizeShorter = (int)Math.Round(Math.Max(manifest.Width, manifest.Height) * 256.0 / 224.0) };
        }

        Validate(modelPath, manifest);
        return manifest;
    }

    private static (bool? Crop, int? Side) ReadCrop(string modelPath, JsonElement? element) => element?.ValueKind switch
    {
        null or JsonValueKind.Null or JsonValueKind.Undefined => (null, null),
        JsonValueKind.True => (true, null),
        JsonValueKind.False => (false, null),
        JsonValueKind.Number when element.Value.TryGetInt32(out var side) && side > 0 => (true, side),
        _ => throw new ModelLoadException(modelPath, $"manifest field 'crop' must be true, false or a positive integer, not {element}."),
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
