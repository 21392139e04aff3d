using Microsoft.Extensions.Configuration;

namespace Serverless.Jobs;

/// <summary>
/// The folder local job sources and outputs must stay inside (<c>jobs:localRoot</c>; default the
/// process's working directory), so a request cannot read or write elsewhere on the host
/// (<c>../../etc</c>). Paths are compared after resolving <c>..</c>, and symbolic links on the way.
/// </summary>
public sealed class LocalRoot
{
    public const string Setting = "jobs:localRoot";

    public LocalRoot(IConfiguration configuration)
        : this(string.IsNullOrWhiteSpace(configuration[Setting]) ? Directory.GetCurrentDirectory() : configuration[Setting]!)
    {
    }

    /// <summary>A root at <paramref name="path"/> (the models root uses the same checks).</summary>
    public LocalRoot(string path) => Path = Resolve(System.IO.Path.GetFullPath(path));

    /// <summary>The root's full path.</summary>
    public string Path { get; }

    /// <summary>A local path made absolute against the root (a relative one is relative to it), or null when it lies outside.</summary>
    public string? Place(string path)
    {
        if (path.Contains('\0'))
            return null;
        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(Path, path));
        return Contains(full) ? full : null;
    }

    /// <summary>True when <paramref name="fullPath"/> is the root or inside it.</summary>
    public bool Contains(string fullPath)
    {
        var candidate = Resolve(System.IO.Path.GetFullPath(fullPath));
        var root = Path.TrimEnd(System.IO.Path.DirectorySeparatorChar);
        return candidate == root || candidate.StartsWith(root + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>Follows symbolic links of the longest existing ancestor, so a link cannot lead out of the root.</summary>
    private static string Resolve(string fullPath)
    {
        var existing = fullPath;
        while (!Directory.Exists(existing) && !File.Exists(existing) && System.IO.Path.GetDirectoryName(existing) is { } parent)
            existing = parent;
        var resolved = new DirectoryInfo(existing).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? existing;
        resolved = ResolveAncestors(resolved);
        return (resolved + fullPath[existing.Length..]).TrimEnd(System.IO.Path.DirectorySeparatorChar) is { Length: > 0 } path ? path : "/";
    }

    private static string ResolveAncestors(string path)
    {
        // Walk from the top, replacing each linked component by its target.
        var parts = path.Split(System.IO.Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var current = System.IO.Path.GetPathRoot(path) ?? "/";
        foreach (var part in parts)
        {
            current = System.IO.Path.Combine(current, part);
            if (new DirectoryInfo(current).LinkTarget is not null)
                current = new DirectoryInfo(current).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? current;
        }
        return current;
    }
}
