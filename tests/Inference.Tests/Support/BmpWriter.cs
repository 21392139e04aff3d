using System.Buffers.Binary;
using SkiaSharp;

namespace Serverless.Inference.Tests.Support;

/// <summary>24-bit bottom-up BMP (SkiaSharp has no BMP encoder).</summary>
internal static class BmpWriter
{
    public static byte[] Encode(SKBitmap bitmap)
    {
        int w = bitmap.Width, h = bitmap.Height, stride = ((w * 3) + 3) & ~3;
        var bytes = new byte[54 + (stride * h)];
        bytes[0] = (byte)'B';
        bytes[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2), bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), w);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), h);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(28), 24);
        for (var y = 0; y < h; y++)
        {
            var row = 54 + ((h - 1 - y) * stride);
            for (var x = 0; x < w; x++)
            {
                var c = bitmap.GetPixel(x, y);
                bytes[row + (x * 3)] = c.Blue;
                bytes[row + (x * 3) + 1] = c.Green;
                bytes[row + (x * 3) + 2] = c.Red;
            }
        }

        return bytes;
    }
}
