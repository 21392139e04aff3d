using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Serverless.Storage.Local;

/// <summary>
/// A large folder's sorted entries kept on local disk, not in memory: a folder of a million files
/// held as strings was 73 MB of the host's heap for the whole job (issue 24: a host's memory may not
/// grow with the job). The names are written in order to a temporary file, in blocks of
/// <see cref="BlockEntries"/> entries, and only each block's first name and offset stay in memory
/// (about 0.3 % of the names); a page reads the blocks it walks. The file is unlinked as soon as it
/// is open, so it vanishes with its handle (when the listing is collected, or the process dies).
/// An entry is a 16-bit header (the name's length in characters, shifted left, and the folder bit)
/// and its UTF-16 characters.
/// </summary>
internal sealed class SpilledListing : FolderListing
{
    /// <summary>Entries a block holds: a block of typical names is a few kilobytes, one read.</summary>
    internal const int BlockEntries = 256;

    private readonly SafeFileHandle file;
    private readonly string[] firsts;
    private readonly long[] offsets; // offsets[b]: block b's first byte; offsets[^1]: the end

    private SpilledListing(SafeFileHandle file, string[] firsts, long[] offsets)
    {
        this.file = file;
        this.firsts = firsts;
        this.offsets = offsets;
    }

    /// <summary>Writes <paramref name="names"/> in ordinal order to a new unlinked file under <paramref name="folder"/> (the system's temporary folder by default).</summary>
    public static SpilledListing Write(FolderNames names, string? folder = null)
    {
        var path = Path.Combine(folder ?? Path.GetTempPath(), $"serverless-listing-{Guid.NewGuid():N}.bin");
        var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        try
        {
            File.Delete(path);
            var order = names.SortedOrder();
            var blocks = (order.Length + BlockEntries - 1) / BlockEntries;
            var firsts = new string[blocks];
            var offsets = new long[blocks + 1];
            var buffer = new byte[1 << 16];
            int filled = 0;
            long written = 0;
            for (var n = 0; n < order.Length; n++)
            {
                var name = names.Name(order[n]);
                if (n % BlockEntries == 0)
                {
                    firsts[n / BlockEntries] = name.ToString();
                    offsets[n / BlockEntries] = written + filled;
                }
                var size = 2 + name.Length * 2;
                if (filled + size > buffer.Length)
                {
                    RandomAccess.Write(file, buffer.AsSpan(0, filled), written);
                    (written, filled) = (written + filled, 0);
                }
                BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(filled), (ushort)(name.Length << 1 | (names.IsFolder(order[n]) ? 1 : 0)));
                Encoding.Unicode.GetBytes(name, buffer.AsSpan(filled + 2));
                filled += size;
            }
            RandomAccess.Write(file, buffer.AsSpan(0, filled), written);
            offsets[blocks] = written + filled;
            return new SpilledListing(file, firsts, offsets);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<Entry> From(string? name)
    {
        for (var block = name is null ? 0 : BlockOf(name); block < firsts.Length; block++)
        {
            foreach (var entry in ReadBlock(block))
            {
                if (name is not null && string.CompareOrdinal(entry.Name, name) < 0)
                    continue;
                name = null;
                yield return entry;
            }
        }
    }

    // The last block whose first name is not after name: the first entry not before name is in it, or begins the next.
    private int BlockOf(string name)
    {
        var found = Array.BinarySearch(firsts, name, StringComparer.Ordinal);
        return found >= 0 ? found : Math.Max(~found - 1, 0);
    }

    private List<Entry> ReadBlock(int block)
    {
        var bytes = new byte[offsets[block + 1] - offsets[block]];
        for (var read = 0; read < bytes.Length;)
        {
            var n = RandomAccess.Read(file, bytes.AsSpan(read), offsets[block] + read);
            if (n == 0)
                throw new IOException("a folder's kept listing ended early");
            read += n;
        }
        var entries = new List<Entry>(BlockEntries);
        for (var at = 0; at < bytes.Length;)
        {
            var header = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at));
            var length = header >> 1;
            entries.Add(new Entry(Encoding.Unicode.GetString(bytes, at + 2, length * 2), (header & 1) != 0));
            at += 2 + length * 2;
        }
        return entries;
    }
}
