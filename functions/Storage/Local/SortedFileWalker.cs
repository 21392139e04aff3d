namespace Serverless.Storage.Local;

/// <summary>
/// Walks a folder tree depth-first with each folder's entries in ordinal order, yielding
/// '/'-separated relative file paths. Resuming after a given path skips whole folders that
/// sort before it, so a continuation token is just the last path returned. Only one folder's
/// entry names are held at a time per level.
/// </summary>
internal static class SortedFileWalker
{
    public static IEnumerable<string> Walk(string root, string? after)
    {
        var constraint = string.IsNullOrEmpty(after) ? null : after.Split('/');
        return WalkFolder(root, string.Empty, constraint, 0);
    }

    private static IEnumerable<string> WalkFolder(string folder, string relative, string[]? after, int depth)
    {
        var entries = new DirectoryInfo(folder)
            .EnumerateFileSystemInfos()
            .Where(e => !e.Attributes.HasFlag(FileAttributes.ReparsePoint) || e is FileInfo)
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        foreach (var entry in entries)
        {
            var path = relative + entry.Name;
            if (after is not null && depth < after.Length)
            {
                var cmp = string.CompareOrdinal(entry.Name, after[depth]);
                if (cmp < 0)
                {
                    continue;
                }

                if (cmp == 0)
                {
                    // On the token's own path: descend still constrained; the token file itself is skipped.
                    if (entry is DirectoryInfo && depth < after.Length - 1)
                    {
                        foreach (var file in WalkFolder(entry.FullName, path + "/", after, depth + 1))
                        {
                            yield return file;
                        }
                    }

                    after = null;
                    continue;
                }

                after = null;
            }

            if (entry is DirectoryInfo)
            {
                foreach (var file in WalkFolder(entry.FullName, path + "/", null, depth + 1))
                {
                    yield return file;
                }
            }
            else
            {
                yield return path;
            }
        }
    }
}
