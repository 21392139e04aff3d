namespace Serverless.Inference;

/// <summary>
/// What a JPEG's headers say about the decoder's memory: libjpeg keeps the coefficients of the
/// whole image (2 bytes a sample, whatever the output scale) when the image comes in several scans,
/// i.e. progressive, or sequential with a first scan that lacks some components. Only such files
/// cost memory in proportion to their declared size; the others decode row by row.
/// </summary>
internal static class JpegFrame
{
    /// <summary>True when the headers up to the first scan announce whole-image buffering; false when not, or unreadable (the codec judges those).</summary>
    public static bool BuffersWholeImage(ReadOnlySpan<byte> jpeg)
    {
        var progressive = false;
        var frameComponents = -1;
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
                progressive = marker is 0xC2 or 0xC6 or 0xCA or 0xCE;
                frameComponents = jpeg[body + 5];
            }
            else if (marker == 0xDA && body < jpeg.Length)
            {
                return progressive || jpeg[body] < frameComponents;
            }

            i += 2 + length;
        }

        return progressive;
    }

    // SOF0..SOF15 but DHT (C4), JPG (C8) and DAC (CC).
    private static bool IsStartOfFrame(byte marker) => marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC);
}
