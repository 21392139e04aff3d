namespace Serverless.Inference;

/// <summary>
/// What a JPEG's headers (up to its first scan) say, read before the codec allocates anything:
/// whether libjpeg will buffer the whole image, and whether the scan data can possibly hold the
/// declared size.
/// </summary>
internal static class JpegFrame
{
    /// <summary>
    /// True when libjpeg keeps the coefficients of the whole image (2 bytes a sample, whatever the
    /// output scale): progressive, or sequential with a first scan that lacks some components. Only
    /// such files cost memory in proportion to their declared size; the others decode row by row.
    /// False when not, or unreadable (the codec judges those).
    /// </summary>
    public static bool BuffersWholeImage(ReadOnlySpan<byte> jpeg)
    {
        if (!TryReadHeaders(jpeg, out var frame, out var scan))
        {
            return frame.Marker != 0 && IsProgressive(frame.Marker);
        }

        return IsProgressive(frame.Marker) || jpeg[scan.HeaderBody] < frame.Components;
    }

    /// <summary>
    /// The bytes from the first scan to the end of the file, and the fewest a complete image of the
    /// declared size needs, when there are fewer: null when enough, or when not judged. Every 8x8
    /// block of every component codes at least its DC coefficient, a Huffman code of at least one
    /// bit, so a complete Huffman-coded image has at least (blocks / 8) bytes of scan data whatever
    /// its content; a header that declares 60,000 x 60,000 over 1 KB of data is not an image but a
    /// claim. Arithmetic-coded frames (which can code a block in under a bit) are not judged.
    /// </summary>
    public static (long Present, long Needed)? ShortScan(ReadOnlySpan<byte> jpeg)
    {
        if (!TryReadHeaders(jpeg, out var frame, out var scan) || frame.Marker is not (0xC0 or 0xC1 or 0xC2) || frame.Height == 0)
        {
            return null;
        }

        long blocks = 0;
        for (var c = 0; c < frame.Components; c++)
        {
            var sampling = jpeg[frame.Body + 6 + (3 * c) + 1];
            var width = Ceiling((long)frame.Width * (sampling >> 4), frame.MaxH);
            var height = Ceiling((long)frame.Height * (sampling & 0x0F), frame.MaxV);
            blocks += Ceiling(width, 8) * Ceiling(height, 8);
        }

        long present = jpeg.Length - scan.DataStart;
        var needed = Ceiling(blocks, 8);
        return present < needed ? (present, needed) : null;
    }

    private static bool TryReadHeaders(ReadOnlySpan<byte> jpeg, out Frame frame, out Scan scan)
    {
        frame = default;
        scan = default;
        var i = 2; // after SOI
        while (i + 4 <= jpeg.Length)
        {
            if (jpeg[i] != 0xFF)
            {
                return false;
            }

            var marker = jpeg[i + 1];
            if (marker == 0xFF)
            {
                i++; // fill byte
                continue;
            }

            var length = (jpeg[i + 2] << 8) | jpeg[i + 3];
            var body = i + 4;
            if (IsStartOfFrame(marker) && body + 6 <= jpeg.Length)
            {
                frame = ReadFrame(jpeg, marker, body);
            }
            else if (marker == 0xDA && body < jpeg.Length)
            {
                scan = new Scan(body, i + 2 + length);
                return frame.Marker != 0 && frame.MaxH > 0 && scan.DataStart <= jpeg.Length;
            }

            i += 2 + length;
        }

        return false;
    }

    private static Frame ReadFrame(ReadOnlySpan<byte> jpeg, byte marker, int body)
    {
        var components = jpeg[body + 5];
        int maxH = 0, maxV = 0;
        if (body + 6 + (3 * components) > jpeg.Length)
        {
            // The component table is cut off: only the marker is known.
            return new Frame(marker, body, 0, 0, components, 0, 0);
        }

        for (var c = 0; c < components; c++)
        {
            var sampling = jpeg[body + 6 + (3 * c) + 1];
            maxH = Math.Max(maxH, sampling >> 4);
            maxV = Math.Max(maxV, sampling & 0x0F);
        }

        var height = (jpeg[body + 1] << 8) | jpeg[body + 2];
        var width = (jpeg[body + 3] << 8) | jpeg[body + 4];
        return new Frame(marker, body, width, height, components, maxH, maxV);
    }

    private static long Ceiling(long value, long divisor) => divisor <= 0 ? 0 : (value + divisor - 1) / divisor;

    private static bool IsProgressive(byte marker) => marker is 0xC2 or 0xC6 or 0xCA or 0xCE;

    // SOF0..SOF15 but DHT (C4), JPG (C8) and DAC (CC).
    private static bool IsStartOfFrame(byte marker) => marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC);

    private readonly record struct Frame(byte Marker, int Body, int Width, int Height, int Components, int MaxH, int MaxV);

    private readonly record struct Scan(int HeaderBody, int DataStart);
}
