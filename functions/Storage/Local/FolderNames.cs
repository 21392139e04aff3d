using System.Collections;
using System.IO.Enumeration;

namespace Serverless.Storage.Local;

/// <summary>
/// A folder's entry names read into one character buffer, with no string per entry: a folder of a
/// million files costs about 34 bytes an entry while it is sorted, not the 72 of a string and its
/// array slot, and leaves no million small objects for the collector to walk.
/// </summary>
internal sealed class FolderNames
{
    private char[] chars = new char[1 << 12];
    private int[] starts = new int[257]; // starts[i]: entry i's first character; starts[Count]: the end
    private readonly BitArray folders = new(256);
    private int used;

    /// <summary>Entries read.</summary>
    public int Count { get; private set; }

    /// <summary>The entries of <paramref name="folder"/>, hidden ones too; a link to a folder is left out (the walk never follows one).</summary>
    public static FolderNames Read(string folder)
    {
        var names = new FolderNames();
        var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false, RecurseSubdirectories = false };
        var entries = new FileSystemEnumerable<bool>(folder, (ref entry) => names.Add(entry.FileName, entry.IsDirectory), options)
        {
            ShouldIncludePredicate = (ref entry) => !(entry.IsDirectory && entry.Attributes.HasFlag(FileAttributes.ReparsePoint)),
        };
        foreach (var _ in entries)
        {
        }
        return names;
    }

    /// <summary>Entry <paramref name="index"/>'s name.</summary>
    public ReadOnlySpan<char> Name(int index) => chars.AsSpan(starts[index], starts[index + 1] - starts[index]);

    /// <summary>Whether entry <paramref name="index"/> is a folder.</summary>
    public bool IsFolder(int index) => folders[index];

    /// <summary>The entries' indexes in ordinal order of their names (string.CompareOrdinal's order).</summary>
    public int[] SortedOrder()
    {
        var order = new int[Count];
        for (var i = 0; i < order.Length; i++)
            order[i] = i;
        Array.Sort(order, (a, b) => Name(a).SequenceCompareTo(Name(b)));
        return order;
    }

    private bool Add(ReadOnlySpan<char> name, bool isFolder)
    {
        if (used + name.Length > chars.Length)
            Array.Resize(ref chars, Math.Max(chars.Length * 2, used + name.Length));
        if (Count + 2 > starts.Length)
            Array.Resize(ref starts, starts.Length * 2);
        if (Count + 1 > folders.Length)
            folders.Length *= 2;
        name.CopyTo(chars.AsSpan(used));
        starts[Count] = used;
        folders[Count] = isFolder;
        used += name.Length;
        Count++;
        starts[Count] = used;
        return true;
    }
}
