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
    public override int Count => entries.Length;

    /// <inheritdoc/>
    public override IEnumerable<Entry> From(string? name)
    {
        for (var i = name is null ? 0 : FirstFrom(name); i < entries.Length; i++)
            yield return entries[i];
    }

    // A binary search: a resumed walk never scans what sorts before its token.
    private int FirstFrom(string name)
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
}
