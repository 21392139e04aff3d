using SkiaSharp;

namespace Serverless.Inference.Tests.Support;

/// <summary>
/// An independent reference for the preprocessing, in the plainest code: decode the whole image
/// (or at a given reduced JPEG scale), orient it pixel by pixel from the EXIF value, resize the whole
/// image with PIL's antialiased filters written out in double precision (<see cref="PilResize"/>),
/// then crop, reorder and normalize in loops: torchvision's rules written out again.
/// </summary>
internal static class ReferencePreprocessor
{
    public static float[] Compute(byte[] encoded, ModelManifest m, SKSizeI? decodeSize = null, bool whiteBackground = false)
    {
        using var codec = SKCodec.Create(new MemoryStream(encoded)) ?? throw new InvalidOperationException("reference cannot decode");
        var full = codec.Info.Size;
        var size = decodeSize ?? full;
        using var stored = new SKBitmap(new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var result = codec.GetPixels(stored.Info, stored.GetPixels());
        if (result != SKCodecResult.Success)
        {
            throw new InvalidOperationException($"reference decode: {result}");
        }

        // libjpeg's n/8 scale rounds sizes up: the image covers full * n / 8 of the decoded pixels.
        var n = size == full ? 8 : Enumerable.Range(1, 7).Single(k => (full.Width * k + 7) / 8 == size.Width && (full.Height * k + 7) / 8 == size.Height);
        var swap = (int)codec.EncodedOrigin >= 5;
        var extent = (W: full.Width * n / 8f, H: full.Height * n / 8f);
        using var oriented = codec.EncodedOrigin == SKEncodedOrigin.TopLeft ? stored.Copy() : Orient(stored, (int)codec.EncodedOrigin);
        return FromOriented(oriented, m, whiteBackground, swap ? new SKSizeI(full.Height, full.Width) : full, swap ? (extent.H, extent.W) : extent);
    }

    /// <summary>Rotates/flips the stored pixels into display orientation (EXIF 1..8), forward mapping.</summary>
    public static unsafe SKBitmap Orient(SKBitmap src, int exif)
    {
        int w = src.Width, h = src.Height;
        var swap = exif >= 5;
        var dst = new SKBitmap(new SKImageInfo(swap ? h : w, swap ? w : h, SKColorType.Rgba8888, SKAlphaType.Premul));
        // Whole 4-byte pixels are moved, whatever their channel order.
        var srcPixels = (uint*)src.GetPixels();
        var dstPixels = (uint*)dst.GetPixels();
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var (u, v) = exif switch
                {
                    2 => (w - 1 - x, y),          // mirror horizontal
                    3 => (w - 1 - x, h - 1 - y),  // rotate 180
                    4 => (x, h - 1 - y),          // mirror vertical
                    5 => (y, x),                  // transpose
                    6 => (h - 1 - y, x),          // rotate 90 clockwise
                    7 => (h - 1 - y, w - 1 - x),  // transverse
                    8 => (y, w - 1 - x),          // rotate 90 counter-clockwise
                    _ => (x, y),
                };
                dstPixels[(v * dst.Width) + u] = srcPixels[(y * w) + x];
            }
        }

        return dst;
    }

    /// <summary>
    /// Resize (planned on <paramref name="fullSize"/>, the image as displayed at full scale), crop and
    /// normalize the oriented pixels, which cover <paramref name="extent"/> of themselves.
    /// </summary>
    public static float[] FromOriented(SKBitmap oriented, ModelManifest m, bool whiteBackground = false, SKSizeI? fullSize = null, (float W, float H)? extent = null)
    {
        var (w, h) = fullSize is { } f ? (f.Width, f.Height) : (oriented.Width, oriented.Height);
        int rw, rh;
        if (!m.Crop)
        {
            (rw, rh) = (m.Width, m.Height);
        }
        else if (m.ResizeShorter is { } shorter)
        {
            var longSide = (int)(shorter * (double)Math.Max(w, h) / Math.Min(w, h));
            (rw, rh) = w <= h ? (shorter, longSide) : (longSide, shorter);
        }
        else
        {
            var s = Math.Max(m.Width / (double)w, m.Height / (double)h);
            (rw, rh) = ((int)Math.Round(w * s), (int)Math.Round(h * s));
        }

        rw = Math.Max(rw, m.Width);
        rh = Math.Max(rh, m.Height);
        var box = extent ?? (oriented.Width, oriented.Height);
        var resized = (rw, rh) == (oriented.Width, oriented.Height) && box == (rw, rh)
            ? oriented.GetPixelSpan().ToArray()
            : PilResize.Resize(oriented, box.W, box.H, rw, rh, m.Interpolation);
        var left = (int)Math.Round((rw - m.Width) / 2.0, MidpointRounding.ToEven);
        var top = (int)Math.Round((rh - m.Height) / 2.0, MidpointRounding.ToEven);

        // Premultiplied colour is the colour composited on black; on white add the uncovered part.
        var tensor = new float[3 * m.Width * m.Height];
        for (var y = 0; y < m.Height; y++)
        {
            for (var x = 0; x < m.Width; x++)
            {
                var p = (((y + top) * rw) + x + left) * 4;
                var a = resized[p + 3];
                for (var c = 0; c < 3; c++)
                {
                    double value = whiteBackground ? resized[p + c] + 255 - a : resized[p + c];
                    var channel = m.ColorOrder == ColorOrder.RGB ? c : 2 - c;
                    var normalized = (float)(((value * m.Scale) - m.Mean[channel]) / m.Std[channel]);
                    var index = m.Layout == TensorLayout.NCHW
                        ? (channel * m.Width * m.Height) + (y * m.Width) + x
                        : (((y * m.Width) + x) * 3) + channel;
                    tensor[index] = normalized;
                }
            }
        }

        return tensor;
    }

    public static float MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var max = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }

    /// <summary>The fraction of values that differ by more than <paramref name="tolerance"/>.</summary>
    public static double DifferingFraction(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float tolerance)
    {
        var count = 0;
        for (var i = 0; i < a.Length; i++)
        {
            if (Math.Abs(a[i] - b[i]) > tolerance)
            {
                count++;
            }
        }

        return (double)count / a.Length;
    }

    public static double MeanAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += Math.Abs(a[i] - b[i]);
        }

        return sum / a.Length;
    }
}
