using System.Runtime.CompilerServices;

namespace Serverless.Inference;

/// <summary>
/// Classifies the images under a local folder (recursively, by extension), keyed by their path
/// relative to the folder with '/' separators, in ordinal order. Files are read as their batch is
/// prepared, so memory holds a few batches whatever the folder's size.
/// </summary>
public static class LocalFolderClassifier
{
    /// <summary>
    /// File extensions taken as images (case-insensitive): what the decoder reads, and the photo
    /// formats it does not (TIFF, HEIC, AVIF), so that those get an unsupported_format row each
    /// instead of vanishing from the results.
    /// </summary>
    public static IReadOnlySet<string> ImageExtensions { get; } =
        new HashSet<string>([".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff", ".heic", ".heif", ".avif"], StringComparer.OrdinalIgnoreCase);

    /// <summary>The image files under <paramref name="root"/>, sorted by relative key.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static IReadOnlyList<string> EnumerateImageFiles(string root)
    {
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"The folder '{root}' does not exist.");
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };
        return Directory.EnumerateFiles(root, "*", options)
            .Where(f => ImageExtensions.Contains(Path.GetExtension(f)))
            .OrderBy(f => KeyOf(root, f), StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>The key of a file: its path relative to <paramref name="root"/>, with '/' separators.</summary>
    public static string KeyOf(string root, string file) => Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>Inputs for every image file under <paramref name="root"/>, read lazily.</summary>
    public static IReadOnlyList<ImageInput> Inputs(string root, long? maxBytes = null) =>
        EnumerateImageFiles(root).Select(f => ImageInput.FromFile(KeyOf(root, f), f, maxBytes)).ToArray();

    /// <summary>Classifies every image under <paramref name="root"/>, yielding predictions in key order.</summary>
    public static async IAsyncEnumerable<Prediction> ClassifyAsync(BatchClassifier classifier, string root, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var inputs = Inputs(root, classifier.Model.Options.MaxEncodedBytes);
        await foreach (var prediction in classifier.ClassifyStreamAsync(ToAsync(inputs), cancellationToken).ConfigureAwait(false))
        {
            yield return prediction;
        }
    }

    private static async IAsyncEnumerable<ImageInput> ToAsync(IReadOnlyList<ImageInput> inputs)
    {
        foreach (var input in inputs)
        {
            yield return input;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
