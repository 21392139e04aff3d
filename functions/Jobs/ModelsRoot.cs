using Microsoft.Extensions.Configuration;

namespace Serverless.Jobs;

/// <summary>
/// The folder models are read from (<c>models:root</c>; default the process's working directory).
/// A job's or a request's <c>model</c> names a file inside it, relative to it (an absolute path
/// inside it works too). Anything else is refused before the file system is asked, with the same
/// answer whether or not such a file exists, so the API is not a probe of the host's files; and
/// messages name models relative to the root, never by their path on the host.
/// </summary>
public sealed class ModelsRoot
{
    public const string Setting = "models:root";

    private readonly LocalRoot root;

    public ModelsRoot(IConfiguration configuration) =>
        root = new LocalRoot(configuration[Setting] is { Length: > 0 } configured && !string.IsNullOrWhiteSpace(configured)
            ? configured
            : Directory.GetCurrentDirectory());

    /// <summary>The root's full path.</summary>
    public string Path => root.Path;

    /// <summary>The model's full path, or why the name cannot be one of ours (null error: inside the root; it may still not exist).</summary>
    public string? Resolve(string name, out string fullPath)
    {
        fullPath = string.Empty;
        if (string.IsNullOrWhiteSpace(name) || name.Contains('\0'))
            return $"'{Printable(name)}' is not a model name";
        var candidate = System.IO.Path.GetFullPath(System.IO.Path.Combine(root.Path, name.Trim()));
        if (!root.Contains(candidate))
            return $"'{Printable(name)}' is not inside the models root ({Setting}); name models relative to it";
        fullPath = candidate;
        return null;
    }

    /// <summary>Resolves or throws <see cref="ArgumentException"/> (a worker checking a job's stored model again).</summary>
    public string ResolveOrThrow(string name) =>
        Resolve(name, out var fullPath) is { } error ? throw new ArgumentException($"model {error}") : fullPath;

    /// <summary>A message with the root's own path taken out, so what reaches a caller names models relative to it.</summary>
    public string Relative(string message) =>
        message.Replace(root.Path.TrimEnd(System.IO.Path.DirectorySeparatorChar) + System.IO.Path.DirectorySeparatorChar, "", StringComparison.Ordinal);

    /// <summary>
    /// A stored model path as a user is shown it (the dashboard): relative to the root, '/'
    /// separated; a path outside it by its file name only, never the host's path.
    /// </summary>
    public string NameOf(string stored)
    {
        if (!System.IO.Path.IsPathFullyQualified(stored))
            return stored;
        var relative = System.IO.Path.GetRelativePath(root.Path, stored);
        return relative.StartsWith("..", StringComparison.Ordinal) || System.IO.Path.IsPathFullyQualified(relative)
            ? System.IO.Path.GetFileName(stored)
            : relative.Replace(System.IO.Path.DirectorySeparatorChar, '/');
    }

    private static string Printable(string name) => name.Replace("\0", "\\0", StringComparison.Ordinal);
}
