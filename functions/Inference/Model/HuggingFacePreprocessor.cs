using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.Inference;

/// <summary>
/// Imports a Hugging Face image processor's <c>preprocessor_config.json</c> (what an Optimum ONNX
/// export puts beside <c>model.onnx</c>) as manifest fields, following transformers' image processors:
/// <c>size</c> as <c>shortest_edge</c> (resize the shorter side, then <c>crop_size</c>), as
/// <c>height</c>/<c>width</c> (a straight resize) or as a legacy number; ConvNeXt's <c>crop_pct</c>
/// (resize to shortest_edge / crop_pct, crop shortest_edge); <c>resample</c> in PIL's numbering;
/// <c>do_rescale</c>/<c>rescale_factor</c>, <c>do_normalize</c>/<c>image_mean</c>/<c>image_std</c>,
/// <c>do_flip_channel_order</c>. A setting we cannot reproduce is a load error, never ignored.
/// </summary>
internal static class HuggingFacePreprocessor
{
    public const string FileName = "preprocessor_config.json";

    /// <summary>The layer of the config beside <paramref name="modelPath"/>, or null when there is none.</summary>
    /// <exception cref="ModelLoadException">Unreadable, or a setting we do not support.</exception>
    public static ManifestLayer? Read(string modelPath)
    {
        var path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        JsonObject config;
        try
        {
            config = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new JsonException("the file holds null.");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new ModelLoadException(modelPath, $"{FileName} is not valid JSON: {e.Message}", e);
        }

        var kind = (string?)(config["image_processor_type"] ?? config["feature_extractor_type"]) ?? "image processor";
        var source = $"{FileName} ({kind})";
        try
        {
            return ManifestLayer.Parse(modelPath, source, ToManifest(config).ToJsonString());
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or JsonException)
        {
            throw new ModelLoadException(modelPath, $"{source}: {e.Message}", e);
        }
    }

    private static JsonObject ToManifest(JsonObject c)
    {
        if (Flag(c, "rescale_offset") || Flag(c, "do_pad"))
        {
            throw new FormatException("rescale_offset and do_pad are not supported; write a manifest instead.");
        }

        var m = new JsonObject();
        m["interpolation"] = (int?)c["resample"] switch
        {
            null or 2 => "bilinear",
            3 => "bicubic",
            var other => throw new FormatException($"resample {other} ({PilFilterName(other.Value)}) is not supported; bilinear (2) and bicubic (3) are."),
        };

        var size = c["size"];
        var crop = Side(c["crop_size"]);
        var centerCrop = c["do_center_crop"] is null ? crop is not null : Flag(c, "do_center_crop");
        var shortest = size switch
        {
            JsonObject o when o["shortest_edge"] is { } e => (int?)e,
            JsonValue v when c["crop_pct"] is not null || centerCrop => (int)v, // legacy number meaning the shorter side
            _ => null,
        };

        if (c["do_resize"] is null || Flag(c, "do_resize"))
        {
            if (c["crop_pct"] is { } pct && shortest is { } edge)
            {
                // ConvNeXt: below 384 resize the shorter side to edge / crop_pct, crop edge; from 384 warp to edge x edge.
                var fraction = (double)pct;
                if (edge < 384)
                {
                    (m["resizeShorter"], m["crop"]) = ((int)(edge / fraction), edge);
                }
                else
                {
                    (m["crop"], m["width"], m["height"]) = (false, edge, edge);
                }
            }
            else if (shortest is { } edge2)
            {
                if (!centerCrop)
                {
                    throw new FormatException("size.shortest_edge without a center crop gives images of varying size; write a manifest with crop.");
                }

                m["resizeShorter"] = edge2;
                (m["width"], m["height"]) = crop ?? (edge2, edge2);
                m["crop"] = true;
            }
            else if (Square(size) is var (w, h))
            {
                // A straight resize (ViT), optionally then a crop.
                (m["crop"], m["width"], m["height"]) = centerCrop && crop is { } cs && cs != (w, h)
                    ? throw new FormatException("a straight resize followed by a center crop is not supported; write a manifest instead.")
                    : (false, w, h);
            }
        }
        else if (crop is { } only)
        {
            (m["crop"], m["width"], m["height"]) = (true, only.Width, only.Height);
        }

        var rescale = c["do_rescale"] is null || Flag(c, "do_rescale") ? (double?)c["rescale_factor"] ?? (1 / 255.0) : 1.0;
        m["scale"] = rescale;
        if (c["do_normalize"] is null || Flag(c, "do_normalize"))
        {
            m["mean"] = c["image_mean"]?.DeepClone() ?? new JsonArray(0.5, 0.5, 0.5);
            m["std"] = c["image_std"]?.DeepClone() ?? new JsonArray(0.5, 0.5, 0.5);
        }
        else
        {
            (m["mean"], m["std"]) = (new JsonArray(0, 0, 0), new JsonArray(1, 1, 1));
        }

        if (Flag(c, "do_flip_channel_order"))
        {
            // MobileViT flips to BGR after normalizing, so the mean and std given are per tensor channel already.
            m["colorOrder"] = "BGR";
        }

        return m;
    }

    private static bool Flag(JsonObject c, string name) => c[name] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    private static (int Width, int Height)? Side(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => ((int)o["width"]!, (int)o["height"]!),
        _ => ((int)node, (int)node),
    };

    private static (int Width, int Height)? Square(JsonNode? size) => size switch
    {
        JsonObject o when o["height"] is not null => ((int)o["width"]!, (int)o["height"]!),
        JsonValue v => ((int)v, (int)v),
        _ => null,
    };

    private static string PilFilterName(int resample) => resample switch
    {
        0 => "nearest",
        1 => "lanczos",
        4 => "box",
        5 => "hamming",
        _ => resample.ToString(CultureInfo.InvariantCulture),
    };
}
