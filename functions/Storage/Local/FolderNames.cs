using System.Collections;
using System.IO.Enumeration;

namespace Serverless.Storage.Local;

/// <summary>
/// A folder's entry names read into character chunks, with no string per entry: a folder of a
/// million files costs about 34 bytes an entry while it is sorted, not the 72 of a string and its
/// array slot, and leaves no million small objects for the collector to walk. The chunks double up
/// to <see cref="MaxChunkChars"/> and are never copied: one buffer doubled held its old and new
/// copies at once, about 100 MB for a million names, the host's peak of a million-image job.
/// An entry's start is its chunk and its offset there in one int.
/// </summary>
internal sealed class FolderNames
{
    /// <summary>The largest chunk: 2 MB of characters; its offsets take <see cref="OffsetBits"/> bits of an entry's start.</summary>
    internal const int MaxChunkChars = 1 << OffsetBits;

    private const int OffsetBits = 20;
    private const int OffsetMask = MaxChunkChars - 1;
    private const int FirstChunkChars = 1 << 12;
    private readonly List<char[]> chunks = [];
    private readonly List<int> chunkUsed = [];
    private int[] starts = new int[257]; // starts[i]: entry i's chunk << OffsetBits | its offset there; starts[Count]: the end of the last
    private readonly BitArray folders = new(256);

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
    public ReadOnlySpan<char> Name(int index)
    {
        var (chunk, offset) = (starts[index] >> OffsetBits, starts[index] & OffsetMask);
        // The next entry's start ends this one when it is in the same chunk; otherwise the chunk's used part does.
        var next = starts[index + 1];
        var end = next >> OffsetBits == chunk ? next & OffsetMask : chunkUsed[chunk];
        return chunks[chunk].AsSpan(offset, end - offset);
    }

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
        if (chunks.Count == 0 || chunkUsed[^1] + name.Length > chunks[^1].Length)
        {
            if (chunks.Count == int.MaxValue >> OffsetBits || name.Length > MaxChunkChars)
                throw new IOException($"a folder's names take more than {int.MaxValue >> OffsetBits} chunks of {MaxChunkChars} characters, or one name more than a chunk");
            chunks.Add(new char[Math.Max(name.Length, Math.Min(chunks.Count == 0 ? FirstChunkChars : chunks[^1].Length * 2, MaxChunkChars))]);
            chunkUsed.Add(0);
        }
        if (Count + 2 > starts.Length)
            Array.Resize(ref starts, starts.Length * 2);
        if (Count + 1 > folders.Length)
            folders.Length *= 2;
        var chunk = chunks.Count - 1;
        name.CopyTo(chunks[chunk].AsSpan(chunkUsed[chunk]));
        starts[Count] = chunk << OffsetBits | chunkUsed[chunk];
        folders[Count] = isFolder;
        chunkUsed[chunk] += name.Length;
        Count++;
        starts[Count] = chunk << OffsetBits | chunkUsed[chunk];
        return true;
    }
}
