using SkiaSharp;

namespace Serverless.Inference.Tests.Support;

/// <summary>
/// PIL's antialiased resize written out plainly, with none of the library's tricks (no window, no
/// vectors, no kernel reuse): for each output pixel, the filter scaled by the shrink factor is centred
/// on its source position, weighted over the source pixels and normalized; rows first, rounded to
/// 8 bits, then columns. The weights are rounded to PIL's 22 fraction bits: at simple scales (0.8,
/// 0.75) many sums fall exactly on half a level, and only PIL's own rounding breaks those ties its way.
/// </summary>
internal static class PilResize
{
    /// <summary>RGBA8888 bytes of <paramref name="source"/> (covering <paramref name="extentW"/> x <paramref name="extentH"/> of itself) resized to <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static byte[] Resize(SKBitmap source, float extentW, float extentH, int width, int height, Interpolation interpolation)
    {
        var src = source.GetPixelSpan().ToArray();
        int sw = source.Width, sh = source.Height;
        var rows = new byte[width * sh * 4];
        var columns = Weights(sw, extentW, width, interpolation);
        for (var y = 0; y < sh; y++)
        {
            for (var x = 0; x < width; x++)
            {
                for (var c = 0; c < 4; c++)
                {
                    rows[(((y * width) + x) * 4) + c] = Round(columns[x].Sum(t => t.Weight * (long)src[(((y * sw) + t.Index) * 4) + c]));
                }
            }
        }

        var result = new byte[width * height * 4];
        var lines = Weights(sh, extentH, height, interpolation);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                for (var c = 0; c < 4; c++)
                {
                    result[(((y * width) + x) * 4) + c] = Round(lines[y].Sum(t => t.Weight * (long)rows[(((t.Index * width) + x) * 4) + c]));
                }
            }
        }

        return result;
    }

    private static (int Index, long Weight)[][] Weights(int sourceSize, double extent, int outputSize, Interpolation interpolation)
    {
        var scale = extent / outputSize;
        var widen = Math.Max(scale, 1.0);
        var support = (interpolation == Interpolation.Bilinear ? 1.0 : 2.0) * widen;
        var result = new (int, long)[outputSize][];
        for (var i = 0; i < outputSize; i++)
        {
            var center = (i + 0.5) * scale;
            var taps = new List<(int Index, double Weight)>();
            for (var s = Math.Max(0, (int)Math.Floor(center - support)); s < Math.Min(sourceSize, (int)Math.Ceiling(center + support) + 1); s++)
            {
                var w = Filter(interpolation, (s + 0.5 - center) / widen);
                if (w != 0)
                {
                    taps.Add((s, w));
                }
            }

            var sum = taps.Sum(t => t.Weight);
            result[i] = taps.Select(t => (t.Index, (long)Math.Round(t.Weight / sum * One, MidpointRounding.AwayFromZero))).ToArray();
        }

        return result;
    }

    private static double Filter(Interpolation interpolation, double x)
    {
        x = Math.Abs(x);
        if (interpolation == Interpolation.Bilinear)
        {
            return Math.Max(0, 1 - x);
        }

        // Keys cubic, a = -0.5.
        return x < 1 ? (1.5 * x * x * x) - (2.5 * x * x) + 1 : x < 2 ? (-0.5 * x * x * x) + (2.5 * x * x) - (4 * x) + 2 : 0;
    }

    private const long One = 1 << 22;

    private static byte Round(long sum) => (byte)Math.Clamp((sum + (One / 2)) >> 22, 0, 255);
}
