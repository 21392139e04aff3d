using SkiaSharp;

namespace Serverless.Inference.Tests.Support;

/// <summary>
/// An independent reference for the preprocessing, in the plainest code: decode the whole image
/// (or at a given size), orient it pixel by pixel from the EXIF value, resize the whole image with
/// SKBitmap.Resize, then crop, reorder and normalize in loops, torchvision's rules written out again.
/// The documented resampling: bilinear when the resize keeps at least half of the pixels per axis,
/// bilinear between blended mipmap levels below that.
/// </summary>
internal static class ReferencePreprocessor
{
    public static SKSamplingOptions SamplingFor(int fromW, int fromH, int toW, int toH) =>
        Math.Min(toW / (double)fromW, toH / (double)fromH) >= 0.5
            ? new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None)
            : new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);

    public static float[] Compute(byte[] encoded, ModelManifest m, SKSizeI? decodeSize = null, bool whiteBackground = false)
    {
        using var codec = SKCodec.Create(new MemoryStream(encoded)) ?? throw new InvalidOperationException("reference cannot decode");
        var size = decodeSize ?? codec.Info.Size;
        using var stored = new SKBitmap(new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var result = codec.GetPixels(stored.Info, stored.GetPixels());
        if (result != SKCodecResult.Success)
        {
            throw new InvalidOperationException($"reference decode: {result}");
        }

        using var oriented = codec.EncodedOrigin == SKEncodedOrigin.TopLeft ? stored.Copy() : Orient(stored, (int)codec.EncodedOrigin);
        return FromOriented(oriented, m, whiteBackground);
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

    public static float[] FromOriented(SKBitmap oriented, ModelManifest m, bool whiteBackground = false)
    {
        int w = oriented.Width, h = oriented.Height, rw, rh;
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
        using var resized = (rw, rh) == (w, h) ? oriented.Copy() : oriented.Resize(new SKImageInfo(rw, rh, SKColorType.Rgba8888, SKAlphaType.Premul), SamplingFor(w, h, rw, rh));
        var left = (int)Math.Round((rw - m.Width) / 2.0, MidpointRounding.ToEven);
        var top = (int)Math.Round((rh - m.Height) / 2.0, MidpointRounding.ToEven);

        // Premultiplied colour is the colour composited on black; on white add the uncovered part.
        var raw = resized.GetPixelSpan();
        var tensor = new float[3 * m.Width * m.Height];
        for (var y = 0; y < m.Height; y++)
        {
            for (var x = 0; x < m.Width; x++)
            {
                var p = (((y + top) * resized.RowBytes) + ((x + left) * 4));
                var a = raw[p + 3];
                for (var c = 0; c < 3; c++)
                {
                    double value = whiteBackground ? raw[p + c] + 255 - a : raw[p + c];
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
