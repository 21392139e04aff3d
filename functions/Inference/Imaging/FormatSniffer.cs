namespace Serverless.Inference;

/// <summary>
/// Recognizes image formats by their magic bytes, to tell a damaged image (corrupt_image) from
/// something that is not an image at all (unsupported_format) when the decoder refuses both.
/// </summary>
internal static class FormatSniffer
{
    public static string? Sniff(ReadOnlySpan<byte> b)
    {
        if (b.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "jpeg";
        }

        if (b.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G']))
        {
            return "png";
        }

        if (b.StartsWith("GIF8"u8))
        {
            return "gif";
        }

        if (b.Length >= 12 && b.StartsWith("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8))
        {
            return "webp";
        }

        if (b.StartsWith("BM"u8) && b.Length >= 14)
        {
            return "bmp";
        }

        if (b.StartsWith("II*\0"u8) || b.StartsWith("MM\0*"u8))
        {
            return "tiff";
        }

        if (b.Length >= 12 && b[4..8].SequenceEqual("ftyp"u8))
        {
            return "heif";
        }

        return null;
    }
}
