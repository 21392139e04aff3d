using Serverless.Storage;

namespace Serverless.Activities;

/// <summary>
/// Keeps a job from classifying its own output: a job lists every key of its source, so an output
/// location inside the source (its working area, its predictions) would otherwise be listed too.
/// </summary>
internal static class OwnOutput
{
    /// <summary>The page without the keys under <paramref name="output"/>, when the output lies inside <paramref name="source"/>.</summary>
    public static SourcePage Without(SourcePage page, string source, string output)
    {
        if (Inside(source, output) is not { } prefix)
            return page;
        var objects = page.Objects ?? page.Keys.Select(k => new SourceObject(k, null, null)).ToList();
        var kept = objects.Where(o => !o.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        if (kept.Count == objects.Count)
            return page;
        return new SourcePage(kept.Select(o => o.Key).ToList(), page.NextToken, page.Skipped + objects.Count - kept.Count)
        {
            Objects = page.Objects is null ? null : kept,
        };
    }

    // An output equal to the source: its working area at least stays out (the images are its other keys).
    private static string Nonempty(string relative, string sourcePrefix = "") =>
        sourcePrefix + (relative.Length == 0 ? WorkArea : relative);

    private const string WorkArea = "_work/";

    /// <summary>The output's key prefix as the source's keys are written, or null when the output is not inside the source.</summary>
    internal static string? Inside(string source, string output)
    {
        if (!SourceUri.TryParse(source, out var from, out _) || !SourceUri.TryParse(output, out var to, out _) || from.Kind != to.Kind)
            return null;
        if (from.Kind == StorageKind.Local)
        {
            var root = from.LocalPath.TrimEnd('/', '\\') + Path.DirectorySeparatorChar;
            var path = to.LocalPath.TrimEnd('/', '\\') + Path.DirectorySeparatorChar;
            return path.StartsWith(root, StringComparison.Ordinal) ? Nonempty(path[root.Length..].Replace('\\', '/')) : null;
        }
        return from.Container == to.Container && to.Prefix.StartsWith(from.Prefix, StringComparison.Ordinal) ? Nonempty(to.Prefix[from.Prefix.Length..], from.Prefix) : null;
    }
}
