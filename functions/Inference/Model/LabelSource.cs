using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serverless.Inference;

/// <summary>
/// Where a model's labels come from, first found wins: the file a manifest layer names, the
/// <c>&lt;stem&gt;.labels.txt</c> beside the model, or the <c>id2label</c> of a Hugging Face
/// <c>config.json</c> beside it. None of them: predictions carry indices only.
/// </summary>
internal static class LabelSource
{
    /// <summary>The labels and where they came from; (null, "none") when there are none.</summary>
    /// <exception cref="ModelLoadException">A named file is missing, or config.json is unreadable.</exception>
    public static (IReadOnlyList<string>? Labels, string Source) Read(string modelPath, ModelManifest manifest, string? namedBy)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        if (manifest.Labels is { } named)
        {
            // Named relative to the model's folder and kept inside it: a manifest is input too, and
            // "/proc/self/mem" or "../../secrets" must not be read (nor its existence told).
            var path = Path.GetFullPath(Path.Combine(folder, named));
            if (!path.StartsWith(Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw new ModelLoadException(modelPath, $"the labels file '{named}' named by {namedBy} is not inside the model's folder.");
            }

            if (!File.Exists(path))
            {
                throw new ModelLoadException(modelPath, $"the labels file '{named}' named by {namedBy} does not exist.");
            }

            return (LabelFile.Read(path), $"{named} (named by {namedBy})");
        }

        var beside = Path.GetFileNameWithoutExtension(modelPath) + ".labels.txt";
        if (File.Exists(Path.Combine(folder, beside)))
        {
            return (LabelFile.Read(Path.Combine(folder, beside)), $"{beside} (beside the model)");
        }

        var config = Path.Combine(folder, "config.json");
        if (File.Exists(config) && ReadId2Label(modelPath, config) is { } fromConfig)
        {
            return (fromConfig, "config.json id2label (Hugging Face)");
        }

        return (null, "none (predictions carry class indices only)");
    }

    private static string[]? ReadId2Label(string modelPath, string path)
    {
        try
        {
            if (JsonNode.Parse(File.ReadAllText(path))?["id2label"] is not JsonObject map)
            {
                return null;
            }

            var labels = new string[map.Count];
            foreach (var (key, value) in map)
            {
                var index = int.Parse(key, System.Globalization.CultureInfo.InvariantCulture);
                labels[index] = (string?)value ?? throw new FormatException($"id2label[{key}] is null.");
            }

            return Array.IndexOf(labels, null) is var gap and >= 0 ? throw new FormatException($"id2label has no entry {gap}.") : labels;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or IndexOutOfRangeException or OverflowException)
        {
            throw new ModelLoadException(modelPath, $"config.json beside the model has an unreadable id2label: {e.Message}", e);
        }
    }
}
