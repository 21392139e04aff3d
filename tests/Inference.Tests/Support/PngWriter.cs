using System.Buffers.Binary;
using System.IO.Compression;

namespace Serverless.Inference.Tests.Support;

/// <summary>PNG files written byte by byte: 16-bit RGB, and a header that declares a huge image.</summary>
internal static class PngWriter
{
    private static readonly uint[] CrcTable = MakeCrcTable();

    /// <summary>A 16-bit-per-channel RGB PNG; pixel (x, y) = f(x, y) as 16-bit values.</summary>
    public static byte[] Rgb16(int width, int height, Func<int, int, (ushort R, ushort G, ushort B)> pixel)
    {
        var raw = new MemoryStream();
        for (var y = 0; y < height; y++)
        {
            raw.WriteByte(0); // filter: none
            for (var x = 0; x < width; x++)
            {
                var (r, g, b) = pixel(x, y);
                foreach (var v in new[] { r, g, b })
                {
                    raw.WriteByte((byte)(v >> 8));
                    raw.WriteByte((byte)v);
                }
            }
        }

        return Png(width, height, bitDepth: 16, colorType: 2, Compress(raw.ToArray()));
    }

    /// <summary>
    /// A PNG whose IHDR declares <paramref name="width"/> x <paramref name="height"/> 8-bit RGB with a
    /// valid CRC, followed by one compressed row: decoding it fully would need width*height*4 bytes.
    /// </summary>
    public static byte[] DeclaringHugeImage(int width, int height)
    {
        var row = new byte[1 + (width * 3)];
        return Png(width, height, bitDepth: 8, colorType: 2, Compress(row));
    }

    private static byte[] Png(int width, int height, byte bitDepth, byte colorType, byte[] idat)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = bitDepth;
        ihdr[9] = colorType; // 2 = truecolour
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", idat);
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static byte[] Compress(byte[] data)
    {
        var output = new MemoryStream();
        using (var z = new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(data);
        }

        return output.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var typed = new byte[4 + data.Length];
        System.Text.Encoding.ASCII.GetBytes(type, typed);
        data.CopyTo(typed, 4);
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
        png.Write(word);
    }

    /// <summary>The PNG CRC (ISO 3309, polynomial 0xEDB88320) over chunk type and data.</summary>
    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFFu;
    }

    private static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
