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
        // Resuming: start at the token's name at this level (a search, not a scan of what sorts before it).
        foreach (var entry in SortedFolders.Of(folder).From(after is not null && depth < after.Length ? after[depth] : null))
        {
            var path = relative + entry.Name;
            var full = Path.Combine(folder, entry.Name);
            if (after is not null && depth < after.Length)
            {
                if (string.CompareOrdinal(entry.Name, after[depth]) == 0)
                {
                    // On the token's own path: descend still constrained; the token file itself is skipped.
                    if (entry.IsFolder && depth < after.Length - 1)
                    {
                        foreach (var file in WalkFolder(full, path + "/", after, depth + 1))
                        {
                            yield return file;
                        }
                    }

                    after = null;
                    continue;
                }

                after = null;
            }

            if (entry.IsFolder)
            {
                foreach (var file in WalkFolder(full, path + "/", null, depth + 1))
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
