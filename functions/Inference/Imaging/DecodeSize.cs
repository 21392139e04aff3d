using SkiaSharp;

namespace Serverless.Inference;

/// <summary>
/// The size to decode at. For JPEG: the smallest n/8 DCT scale at which the image is still at least
/// twice the resize in both axes, so that libjpeg's cheap frequency-domain scaling does the coarse
/// part and PIL's filter the rest. Decoding just down to the resize size let the DCT scaling do the
/// whole shrink, a different filter: on the 200 sample photos its pixels were 1.24 levels from
/// torchvision's on average, 6.3 at worst; at twice the size 0.78 at worst, and the 189 photos
/// under 512 pixels decode at full size and match to the bit. Other formats decode at full size.
/// </summary>
/// <param name="Size">Decoded size, stored orientation.</param>
/// <param name="Eighths">The scale n of n/8 (8: full size).</param>
internal readonly record struct DecodeSize(SKSizeI Size, int Eighths)
{
    /// <summary>
    /// The part of the decoded pixels that the image covers: libjpeg rounds a scaled size up, so the
    /// last row or column holds only part of a source block (500 x 6/8 = 375, but 375 x 6/8 = 281.25).
    /// </summary>
    public (float Width, float Height) Extent(SKSizeI full) => Eighths == 8
        ? (Size.Width, Size.Height)
        : (full.Width * Eighths / 8f, full.Height * Eighths / 8f);

    /// <summary>Picks the decode size for a resize of the stored image to <paramref name="resized"/> (stored orientation).</summary>
    public static DecodeSize Choose(SKCodec codec, SKSizeI resized)
    {
        var full = codec.Info.Size;
        if (codec.EncodedFormat == SKEncodedImageFormat.Jpeg)
        {
            for (var n = 1; n < 8; n++)
            {
                var size = codec.GetScaledDimensions(n / 8f);
                if (size == full)
                {
                    break;
                }

                // Only a size that is exactly libjpeg's ceil(full * n / 8) has the extent computed above.
                if (size.Width >= 2L * resized.Width && size.Height >= 2L * resized.Height && size == Scaled(full, n))
                {
                    return new DecodeSize(size, n);
                }
            }
        }

        return new DecodeSize(full, 8);
    }

    private static SKSizeI Scaled(SKSizeI full, int n) => new((int)((((long)full.Width * n) + 7) / 8), (int)((((long)full.Height * n) + 7) / 8));
}
