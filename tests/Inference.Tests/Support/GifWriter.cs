using SkiaSharp;

namespace Serverless.Inference.Tests.Support;

/// <summary>
/// A GIF with one solid-colour frame per entry (SkiaSharp has no GIF encoder). The LZW stream
/// sends a clear code before every two literals, so the code width stays 3 bits and no dictionary
/// logic is needed.
/// </summary>
internal static class GifWriter
{
    public static byte[] SolidFrames(int width, int height, params SKColor[] frames)
    {
        var gif = new MemoryStream();
        gif.Write("GIF89a"u8);
        WriteShort(gif, width);
        WriteShort(gif, height);
        gif.WriteByte(0xF1); // global colour table, 2 bits per entry: 4 colours
        gif.WriteByte(0);
        gif.WriteByte(0);
        for (var i = 0; i < 4; i++)
        {
            var c = i < frames.Length ? frames[i] : SKColors.Black;
            gif.Write([c.Red, c.Green, c.Blue]);
        }

        for (var f = 0; f < frames.Length; f++)
        {
            gif.Write([0x21, 0xF9, 4, 0x04, 10, 0, 0, 0]); // graphic control: keep frame, 0.1 s
            gif.WriteByte(0x2C);
            WriteShort(gif, 0);
            WriteShort(gif, 0);
            WriteShort(gif, width);
            WriteShort(gif, height);
            gif.WriteByte(0);
            gif.WriteByte(2); // LZW minimum code size
            WriteSubBlocks(gif, Lzw(f, width * height));
        }

        gif.WriteByte(0x3B);
        return gif.ToArray();
    }

    private static byte[] Lzw(int index, int count)
    {
        const int clear = 4, end = 5;
        var bits = new List<bool>();
        void Code(int code)
        {
            for (var b = 0; b < 3; b++)
            {
                bits.Add(((code >> b) & 1) != 0);
            }
        }

        for (var i = 0; i < count; i++)
        {
            if (i % 2 == 0)
            {
                Code(clear);
            }

            Code(index);
        }

        Code(end);
        var bytes = new byte[(bits.Count + 7) / 8];
        for (var i = 0; i < bits.Count; i++)
        {
            if (bits[i])
            {
                bytes[i / 8] |= (byte)(1 << (i % 8));
            }
        }

        return bytes;
    }

    private static void WriteSubBlocks(Stream s, byte[] data)
    {
        for (var i = 0; i < data.Length; i += 255)
        {
            var n = Math.Min(255, data.Length - i);
            s.WriteByte((byte)n);
            s.Write(data, i, n);
        }

        s.WriteByte(0);
    }

    private static void WriteShort(Stream s, int v)
    {
        s.WriteByte((byte)v);
        s.WriteByte((byte)(v >> 8));
    }
}
