namespace Serverless.Inference;

/// <summary>
/// Recognizes image formats by their magic bytes when the decoder refuses a file, to tell a damaged
/// image of a format it reads (corrupt_image) from a format it does not read, or no image at all
/// (unsupported_format).
/// </summary>
internal static class FormatSniffer
{
    /// <summary>The format's name and whether the decoder reads it; null when the bytes match no known image format.</summary>
    public static (string Name, bool Decodable)? Sniff(ReadOnlySpan<byte> b)
    {
        if (b.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return ("JPEG", true);
        }

        if (b.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G']))
        {
            return ("PNG", true);
        }

        if (b.StartsWith("GIF8"u8))
        {
            return ("GIF", true);
        }

        if (b.Length >= 12 && b.StartsWith("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8))
        {
            return ("WebP", true);
        }

        if (b.StartsWith("BM"u8) && b.Length >= 14)
        {
            return ("BMP", true);
        }

        if (b.StartsWith("II*\0"u8) || b.StartsWith("MM\0*"u8))
        {
            return ("TIFF", false);
        }

        // ISO base media: HEIC/HEIF and AVIF stills (phones), or video, by the major brand.
        if (b.Length >= 12 && b[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = b[8..12];
            var name = brand.StartsWith("avi"u8) ? "AVIF" : brand.StartsWith("he"u8) || brand.StartsWith("mif"u8) || brand.StartsWith("msf"u8) ? "HEIF" : "ISO media (video)";
            return (name, false);
        }

        return null;
    }
}
