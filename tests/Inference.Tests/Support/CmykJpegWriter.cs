namespace Serverless.Inference.Tests.Support;

/// <summary>
/// A baseline JPEG with four components (CMYK, Adobe APP14 marker, no colour transform) of one
/// solid colour, written by hand: quantization 1, DC-only blocks, so each block is a DC code and EOB.
/// Values are stored as Photoshop does, inverted (255 = no ink).
/// </summary>
internal static class CmykJpegWriter
{
    // The standard luminance DC table (JPEG Annex K.3): code lengths for categories 0..11.
    private static readonly byte[] DcCounts = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];

    public static byte[] Solid(int width, int height, byte c, byte m, byte y, byte k)
    {
        var jpeg = new MemoryStream();
        jpeg.Write([0xFF, 0xD8]);
        Segment(jpeg, 0xEE, [.. "Adobe"u8, 0, 100, 0, 0, 0, 0, 0]); // transform 0: CMYK as is
        Segment(jpeg, 0xDB, [0, .. Enumerable.Repeat((byte)1, 64)]);
        Segment(jpeg, 0xC0, [8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 4, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0]);
        Segment(jpeg, 0xC4, [0x00, .. DcCounts, .. Enumerable.Range(0, 12).Select(i => (byte)i)]);
        Segment(jpeg, 0xC4, [0x10, 1, .. new byte[15], 0x00]); // AC: only EOB, code "0"
        Segment(jpeg, 0xDA, [4, 1, 0, 2, 0, 3, 0, 4, 0, 0, 63, 0]);

        var dcCodes = CanonicalCodes(DcCounts);
        var bits = new BitWriter(jpeg);
        int[] values = [c, m, y, k];
        var blocks = ((width + 7) / 8) * ((height + 7) / 8);
        for (var b = 0; b < blocks; b++)
        {
            foreach (var v in values)
            {
                // DC of an 8x8 block of value v with q = 1 is 8 * (v - 128); later blocks differ by 0.
                var diff = b == 0 ? 8 * (v - 128) : 0;
                var magnitude = Math.Abs(diff);
                var category = magnitude == 0 ? 0 : (int)Math.Log2(magnitude) + 1;
                var (code, length) = dcCodes[category];
                bits.Write(code, length);
                if (category > 0)
                {
                    bits.Write(diff > 0 ? diff : diff + (1 << category) - 1, category);
                }

                bits.Write(0, 1); // EOB
            }
        }

        bits.Flush();
        jpeg.Write([0xFF, 0xD9]);
        return jpeg.ToArray();
    }

    private static (int Code, int Length)[] CanonicalCodes(byte[] counts)
    {
        var codes = new List<(int, int)>();
        var code = 0;
        for (var length = 1; length <= 16; length++)
        {
            for (var i = 0; i < counts[length - 1]; i++)
            {
                codes.Add((code++, length));
            }

            code <<= 1;
        }

        return codes.ToArray();
    }

    private static void Segment(Stream s, byte marker, byte[] payload)
    {
        s.Write([0xFF, marker, (byte)((payload.Length + 2) >> 8), (byte)(payload.Length + 2)]);
        s.Write(payload);
    }

    private sealed class BitWriter(Stream stream)
    {
        private int buffer;
        private int count;

        public void Write(int value, int length)
        {
            for (var i = length - 1; i >= 0; i--)
            {
                buffer = (buffer << 1) | ((value >> i) & 1);
                if (++count == 8)
                {
                    Emit();
                }
            }
        }

        public void Flush()
        {
            while (count != 0)
            {
                Write(1, 1); // pad with ones
            }
        }

        private void Emit()
        {
            stream.WriteByte((byte)buffer);
            if (buffer == 0xFF)
            {
                stream.WriteByte(0); // byte stuffing
            }

            buffer = 0;
            count = 0;
        }
    }
}
