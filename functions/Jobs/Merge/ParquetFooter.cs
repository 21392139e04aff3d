using System.Buffers.Binary;

namespace Serverless.Jobs.Merge;

/// <summary>
/// Joins Parquet files byte for byte: the files one after the other, then one footer that lists every
/// file's row groups at their new offsets. A reader finds a file's row groups through its footer,
/// so the files' own footers, left in between, are bytes no row group points at. The store
/// concatenates the files server-side (<see cref="Serverless.Storage.IResultStore.ConcatenateAsync"/>);
/// only the footers, a few KiB a file, pass through this process, and nothing is decoded or encoded
/// again. Every file must have the same schema (the merge shards of one job do).
/// </summary>
internal static class ParquetFooter
{
    private static ReadOnlySpan<byte> Magic => "PAR1"u8;

    // parquet.thrift field ids: FileMetaData, RowGroup, ColumnChunk, ColumnMetaData.
    private const short FileNumRows = 3, FileRowGroups = 4;
    private const short GroupColumns = 1, GroupFileOffset = 5, GroupOrdinal = 7;
    private const short ChunkFileOffset = 2, ChunkMetaData = 3, ChunkOffsetIndex = 4, ChunkColumnIndex = 6;
    private const short MetaDataPage = 9, MetaIndexPage = 10, MetaDictionaryPage = 11, MetaBloomFilter = 14;

    /// <summary>The footer (its Thrift bytes) of the Parquet file at <paramref name="path"/>, read from its end alone.</summary>
    /// <exception cref="InvalidDataException">Not a Parquet file.</exception>
    public static byte[] OfFile(string path)
    {
        using var file = File.OpenHandle(path);
        var size = RandomAccess.GetLength(file);
        Span<byte> start = stackalloc byte[4], end = stackalloc byte[8];
        if (size < 12 || RandomAccess.Read(file, start, 0) != 4 || RandomAccess.Read(file, end, size - 8) != 8
            || !start.SequenceEqual(Magic) || !end[4..].SequenceEqual(Magic))
            throw new InvalidDataException($"{path} is not a Parquet file (no PAR1 at its start and end)");
        var length = BinaryPrimitives.ReadInt32LittleEndian(end);
        if (length <= 0 || length > size - 12)
            throw new InvalidDataException($"{path}: a Parquet footer of {length} bytes in a file of {size}");
        var footer = new byte[length];
        for (var read = 0; read < length;)
        {
            var n = RandomAccess.Read(file, footer.AsSpan(read), size - 8 - length + read);
            if (n == 0)
                throw new InvalidDataException($"{path} ended inside its Parquet footer");
            read += n;
        }
        return footer;
    }

    /// <summary>
    /// The end of the joined file, to follow the files themselves: one footer over the row groups of
    /// every file in order, then its length and the magic. <paramref name="files"/>: each file's
    /// footer (<see cref="OfFile"/>) and size in bytes.
    /// </summary>
    public static byte[] Join(IReadOnlyList<(byte[] Footer, long Bytes)> files)
    {
        if (files.Count == 0)
            throw new ArgumentException("no files to join", nameof(files));
        var footers = files.Select(f => ThriftCompact.Read(f.Footer)).ToArray();
        // The first file's footer is the joined one's, with every file's rows and row groups.
        var joined = footers[0];
        var groups = new List<object>();
        long rows = 0, offset = 0;
        for (var i = 0; i < files.Count; i++)
        {
            var file = footers[i];
            rows += file[FileNumRows]?.Value is long n ? n : 0;
            if (file[FileRowGroups]?.Value is ThriftCompact.Items fileGroups)
            {
                foreach (ThriftCompact.Node group in fileGroups.Values)
                {
                    Shift(group, offset);
                    if (group[GroupOrdinal] is { } ordinal)
                        ordinal.Value = (long)groups.Count;
                    groups.Add(group);
                }
            }
            offset += files[i].Bytes;
        }
        Set(joined, FileNumRows, ThriftCompact.I64, rows);
        Set(joined, FileRowGroups, ThriftCompact.List, new ThriftCompact.Items(ThriftCompact.Struct, groups));
        var written = ThriftCompact.Write(joined);
        var tail = new byte[written.Length + 8];
        written.CopyTo(tail, 0);
        BinaryPrimitives.WriteInt32LittleEndian(tail.AsSpan(written.Length), written.Length);
        Magic.CopyTo(tail.AsSpan(written.Length + 4));
        return tail;
    }

    // Every offset into the file a row group holds: its own, and each column chunk's pages and indexes.
    private static void Shift(ThriftCompact.Node group, long by)
    {
        Add(group, GroupFileOffset, by);
        if (group[GroupColumns]?.Value is not ThriftCompact.Items chunks)
            return;
        foreach (ThriftCompact.Node chunk in chunks.Values)
        {
            Add(chunk, ChunkFileOffset, by);
            Add(chunk, ChunkOffsetIndex, by);
            Add(chunk, ChunkColumnIndex, by);
            if (chunk[ChunkMetaData]?.Value is ThriftCompact.Node meta)
            {
                Add(meta, MetaDataPage, by);
                Add(meta, MetaIndexPage, by);
                Add(meta, MetaDictionaryPage, by);
                Add(meta, MetaBloomFilter, by);
            }
        }
    }

    private static void Add(ThriftCompact.Node node, short id, long by)
    {
        if (node[id] is { Value: long value } field)
            field.Value = value + by;
    }

    private static void Set(ThriftCompact.Node node, short id, byte type, object value)
    {
        if (node[id] is { } field)
            field.Value = value;
        else
            node.Fields.Add(new ThriftCompact.Field(id, type, value));
    }
}
