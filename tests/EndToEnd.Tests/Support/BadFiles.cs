using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace Serverless.EndToEnd.Tests.Support;

/// <summary>The inference issue's catalogue of bad inputs, as files, with the reason code each must get.</summary>
public static class BadFiles
{
    /// <summary>Writes the bad files into <paramref name="folder"/>; returns file name to expected reason code.</summary>
    public static Dictionary<string, string> Write(string folder, string goodJpeg)
    {
        var jpeg = File.ReadAllBytes(goodJpeg);
        var files = new Dictionary<string, (byte[] Bytes, string Code)>
        {
            ["bad_empty.jpg"] = ([], "empty_file"),
            // Bytes with no image signature at all: the name says JPEG, the content says otherwise.
            ["bad_text.jpg"] = ("this is not an image, just text with a .jpg name\n"u8.ToArray(), "unsupported_format"),
            ["bad_truncated.jpg"] = (jpeg[..(jpeg.Length / 3)], "corrupt_image"),
            ["bad_bomb.png"] = (PngHeader(50_000, 50_000), "too_large"),
        };
        foreach (var (name, (bytes, _)) in files)
            File.WriteAllBytes(Path.Combine(folder, name), bytes);
        return files.ToDictionary(f => f.Key, f => f.Value.Code);
    }

    /// <summary>
    /// A decompression bomb's shape: a valid PNG whose header declares the given size, with one
    /// compressed row of data. A decoder that trusts the header would allocate width*height*4 bytes.
    /// </summary>
    private static byte[] PngHeader(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // RGB
        var row = new MemoryStream();
        using (var z = new ZLibStream(row, CompressionLevel.Fastest, leaveOpen: true))
            z.Write(new byte[1 + width * 3]);
        using var png = new MemoryStream();
        png.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", row.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var typeAndData = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(BigEndian(data.Length));
        png.Write(typeAndData);
        png.Write(BigEndian((int)Crc32.HashToUInt32(typeAndData)));
    }

    private static byte[] BigEndian(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }
}
