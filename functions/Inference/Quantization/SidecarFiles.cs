namespace Serverless.Inference.Quantization;

/// <summary>
/// What the loader reads beside a model, copied beside its quantized version so that it
/// classifies with the same preprocessing and labels: <c>&lt;stem&gt;.manifest.json</c>,
/// <c>&lt;stem&gt;.labels.txt</c>, the labels file a manifest names, and a Hugging Face
/// folder's <c>preprocessor_config.json</c> / <c>config.json</c>.
/// </summary>
internal static class SidecarFiles
{
    /// <summary>Copies the files found; returns the paths written.</summary>
    public static IReadOnlyList<string> Copy(string modelPath, string outPath, ModelManifest manifest)
    {
        var written = new List<string>();
        var sourceFolder = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        var outFolder = Path.GetDirectoryName(Path.GetFullPath(outPath))!;
        var sourceStem = Path.GetFileNameWithoutExtension(modelPath);
        var outStem = Path.GetFileNameWithoutExtension(outPath);

        void CopyIfThere(string from, string to)
        {
            if (File.Exists(from) && !string.Equals(Path.GetFullPath(from), Path.GetFullPath(to), StringComparison.Ordinal))
            {
                File.Copy(from, to, overwrite: true);
                written.Add(to);
            }
        }

        CopyIfThere(Path.Combine(sourceFolder, sourceStem + ".manifest.json"), Path.Combine(outFolder, outStem + ".manifest.json"));
        CopyIfThere(Path.Combine(sourceFolder, sourceStem + ".labels.txt"), Path.Combine(outFolder, outStem + ".labels.txt"));
        if (!string.Equals(sourceFolder, outFolder, StringComparison.Ordinal))
        {
            if (manifest.Labels is { } labels && !Path.IsPathRooted(labels))
            {
                CopyIfThere(Path.Combine(sourceFolder, labels), Path.Combine(outFolder, labels));
            }

            foreach (var name in new[] { HuggingFacePreprocessor.FileName, "config.json" })
            {
                if (!File.Exists(Path.Combine(outFolder, name)))
                {
                    CopyIfThere(Path.Combine(sourceFolder, name), Path.Combine(outFolder, name));
                }
            }
        }

        return written;
    }
}
