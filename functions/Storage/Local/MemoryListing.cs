namespace Serverless.Storage.Local;

/// <summary>A small folder's sorted entries in memory: read again for each use, never kept.</summary>
internal sealed class MemoryListing : FolderListing
{
    private readonly Entry[] entries;

    public MemoryListing(FolderNames names)
    {
        entries = names.SortedOrder().Select(i => new Entry(names.Name(i).ToString(), names.IsFolder(i))).ToArray();
    }

    /// <inheritdoc/>
    public override IEnumerable<Entry> From(string? name)
    {
        for (var i = name is null ? 0 : FirstFrom(name); i < entries.Length; i++)
            yield return entries[i];
    }

    // A binary search: a resumed walk never scans what sorts before its token (names in a folder are unique).
    private int FirstFrom(string name)
    {
        var found = Array.BinarySearch(entries, new Entry(name, false), ByName);
        return found >= 0 ? found : ~found;
    }

    private static readonly Comparer<Entry> ByName = Comparer<Entry>.Create((a, b) => string.CompareOrdinal(a.Name, b.Name));
}
