using System.Collections.Concurrent;

namespace Serverless.Storage.Local;

/// <summary>
/// A folder's entries in ordinal order, and for a large folder the same listing again for the next
/// page: a job lists a folder a page at a time, and re-reading and sorting a folder of a million
/// files for each of its thousand pages made the listing, which runs one page after another, the
/// job's bottleneck. A large folder's listing is kept on local disk (<see cref="SpilledListing"/>),
/// used while the folder's last-write time is unchanged (adding, removing or renaming an entry
/// changes it) and dropped after a few minutes unused.
/// </summary>
internal static class SortedFolders
{
    /// <summary>Folders with fewer entries are read again each time: cheap, and not worth a file.</summary>
    internal const int KeepFrom = 10_000;

    private const int MaxKept = 4;
    private static readonly TimeSpan Unused = TimeSpan.FromMinutes(5);
    private static readonly ConcurrentDictionary<string, Kept> Folders = new(StringComparer.Ordinal);

    private sealed class Kept(DateTime written, FolderListing listing)
    {
        public DateTime Written { get; } = written;
        public FolderListing Listing { get; } = listing;
        public long LastUsed = Environment.TickCount64;
    }

    /// <summary>The entries of <paramref name="folder"/> (links to folders left out), sorted by ordinal name.</summary>
    public static FolderListing Of(string folder)
    {
        // Read before listing: a change during the listing leaves a newer time, so the next call lists again.
        var written = Directory.GetLastWriteTimeUtc(folder);
        if (Folders.TryGetValue(folder, out var kept) && kept.Written == written)
        {
            kept.LastUsed = Environment.TickCount64;
            return kept.Listing;
        }
        var names = FolderNames.Read(folder);
        if (names.Count < KeepFrom)
        {
            Folders.TryRemove(folder, out _);
            return new MemoryListing(names);
        }
        var listing = SpilledListing.Write(names);
        Keep(folder, new Kept(written, listing));
        return listing;
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
