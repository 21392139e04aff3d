using System.Collections.Concurrent;

namespace Serverless.Storage.Local;

/// <summary>
/// A folder's entries in ordinal order, and for a large folder the same array again for the next
/// page: a job lists a folder a page at a time, and re-reading and sorting a folder of a million
/// files for each of its thousand pages made the listing, which runs one page after another, the
/// job's bottleneck. A kept listing is used while the folder's last-write time is unchanged (adding,
/// removing or renaming an entry changes it) and dropped after a few minutes unused.
/// </summary>
internal static class SortedFolders
{
    /// <summary>Folders with fewer entries are read again each time: cheap, and not worth the memory.</summary>
    internal const int KeepFrom = 10_000;

    private const int MaxKept = 4;
    private static readonly TimeSpan Unused = TimeSpan.FromMinutes(5);
    private static readonly ConcurrentDictionary<string, Kept> Folders = new(StringComparer.Ordinal);

    /// <summary>An entry of a folder: its name, and whether it is a folder itself.</summary>
    internal readonly record struct Entry(string Name, bool IsFolder);

    private sealed class Kept(DateTime written, Entry[] entries)
    {
        public DateTime Written { get; } = written;
        public Entry[] Entries { get; } = entries;
        public long LastUsed = Environment.TickCount64;
    }

    /// <summary>The entries of <paramref name="folder"/> (links to folders left out), sorted by ordinal name.</summary>
    public static Entry[] Of(string folder)
    {
        // Read before listing: a change during the listing leaves a newer time, so the next call lists again.
        var written = Directory.GetLastWriteTimeUtc(folder);
        if (Folders.TryGetValue(folder, out var kept) && kept.Written == written)
        {
            kept.LastUsed = Environment.TickCount64;
            return kept.Entries;
        }
        var entries = new DirectoryInfo(folder)
            .EnumerateFileSystemInfos()
            .Where(e => !e.Attributes.HasFlag(FileAttributes.ReparsePoint) || e is FileInfo)
            .Select(e => new Entry(e.Name, e is DirectoryInfo))
            .ToArray();
        Array.Sort(entries, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        if (entries.Length >= KeepFrom)
            Keep(folder, new Kept(written, entries));
        else
            Folders.TryRemove(folder, out _);
        return entries;
    }

    /// <summary>The index of the first entry whose name is not before <paramref name="name"/>.</summary>
    public static int FirstFrom(Entry[] entries, string name)
    {
        int low = 0, high = entries.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (string.CompareOrdinal(entries[mid].Name, name) < 0)
                low = mid + 1;
            else
                high = mid;
        }
        return low;
    }

    /// <summary>Forgets every kept listing (tests).</summary>
    internal static void Clear() => Folders.Clear();

    /// <summary>Whether a listing of <paramref name="folder"/> is kept (tests).</summary>
    internal static bool IsKept(string folder) => Folders.ContainsKey(folder);

    private static void Keep(string folder, Kept listing)
    {
        var now = Environment.TickCount64;
        foreach (var (name, old) in Folders)
            if (now - old.LastUsed > Unused.TotalMilliseconds)
                Folders.TryRemove(name, out _);
        while (Folders.Count >= MaxKept && Folders.MinBy(p => p.Value.LastUsed) is { Key: { } oldest })
            Folders.TryRemove(oldest, out _);
        Folders[folder] = listing;
    }
}
