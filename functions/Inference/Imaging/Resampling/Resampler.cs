using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Serverless.Inference;

/// <summary>
/// PIL's resize (Image.resize with a box) of RGBA8888 pixels, computed only for a window of the
/// output: a horizontal pass over the source rows the window needs into 8-bit pixels, then a
/// vertical pass, both with PIL's fixed-point weights and rounding, so that from the same decoded
/// pixels the result is PIL's to the bit. Each output pixel depends only on its own taps, so the
/// window equals the same rectangle cut from the whole resized image.
/// </summary>
internal static unsafe class Resampler
{
    private const int Half = 1 << (ResampleKernel.PrecisionBits - 1);

    [ThreadStatic]
    private static ResampleKernel? horizontalKernel;

    [ThreadStatic]
    private static ResampleKernel? verticalKernel;

    /// <summary>Resizes the source extent to <paramref name="resized"/> and writes the <paramref name="window"/> of it to <paramref name="destination"/>.</summary>
    /// <param name="source">RGBA8888 source pixels.</param>
    /// <param name="sourceRowBytes">Bytes per source row.</param>
    /// <param name="sourceWidth">Source width in pixels.</param>
    /// <param name="sourceHeight">Source height in pixels.</param>
    /// <param name="extentWidth">Width of the source the image covers (below sourceWidth after a reduced-scale decode with a partial last block).</param>
    /// <param name="extentHeight">Height of the source the image covers.</param>
    /// <param name="resized">The size of the whole resized image.</param>
    /// <param name="window">The output rectangle to compute, inside <paramref name="resized"/>.</param>
    /// <param name="interpolation">The filter.</param>
    /// <param name="columnsFirst">
    /// Run the vertical pass first: PIL's first pass runs along the displayed rows, which are the
    /// stored columns of a quarter-turned image, and the 8-bit intermediate rounds differently per order.
    /// </param>
    /// <param name="destination">Window-sized RGBA8888 output, <paramref name="window"/>.Width * 4 bytes per row.</param>
    /// <param name="scratch">Intermediate pixels between the two passes.</param>
    public static void Resize(
        byte* source, int sourceRowBytes, int sourceWidth, int sourceHeight, float extentWidth, float extentHeight,
        (int Width, int Height) resized, (int X, int Y, int Width, int Height) window, Interpolation interpolation, bool columnsFirst,
        byte* destination, NativeScratch scratch)
    {
        // As PIL: an axis is resampled unless it keeps its size and the box spans it exactly.
        var horizontal = resized.Width != sourceWidth || extentWidth != resized.Width;
        var vertical = resized.Height != sourceHeight || extentHeight != resized.Height;
        var destinationRowBytes = window.Width * 4;
        var h = horizontalKernel ??= new ResampleKernel();
        var v = verticalKernel ??= new ResampleKernel();
        h.Compute(sourceWidth, extentWidth, resized.Width, window.X, window.Width, interpolation);
        v.Compute(sourceHeight, extentHeight, resized.Height, window.Y, window.Height, interpolation);

        if (!vertical)
        {
            Horizontal(source + ((long)window.Y * sourceRowBytes), sourceRowBytes, 0, window.Height, h, destination, destinationRowBytes);
        }
        else if (!horizontal)
        {
            Vertical(source + (window.X * 4L), sourceRowBytes, 0, v, window.Width, destination, destinationRowBytes);
        }
        else if (columnsFirst)
        {
            // The source columns the window reads, every output row of them, then across.
            var columns = h.EndSource - h.FirstSource;
            var temp = (byte*)scratch.Get((long)window.Height * columns * 4);
            Vertical(source + (h.FirstSource * 4L), sourceRowBytes, 0, v, columns, temp, columns * 4);
            Horizontal(temp, columns * 4, h.FirstSource, window.Height, h, destination, destinationRowBytes);
        }
        else
        {
            // The source rows the window reads, across, then down.
            var rows = v.EndSource - v.FirstSource;
            var temp = (byte*)scratch.Get((long)rows * destinationRowBytes);
            Horizontal(source + ((long)v.FirstSource * sourceRowBytes), sourceRowBytes, 0, rows, h, temp, destinationRowBytes);
            Vertical(temp, destinationRowBytes, v.FirstSource, v, window.Width, destination, destinationRowBytes);
        }
    }

    /// <summary>
    /// Each of <paramref name="rows"/> rows through the horizontal taps, one output pixel (4 channels in
    /// one vector) at a time. <paramref name="firstColumn"/> is the source column that column 0 of
    /// <paramref name="source"/> holds.
    /// </summary>
    private static void Horizontal(byte* source, int sourceRowBytes, int firstColumn, int rows, ResampleKernel kernel, byte* destination, int destinationRowBytes)
    {
        var taps = kernel.Taps;
        fixed (int* starts = kernel.Starts)
        fixed (int* counts = kernel.Counts)
        fixed (int* weights = kernel.Weights)
        {
            for (var y = 0; y < rows; y++)
            {
                var row = source + ((long)y * sourceRowBytes);
                var output = (uint*)(destination + ((long)y * destinationRowBytes));
                for (var x = 0; x < kernel.Length; x++)
                {
                    var pixels = (uint*)row + (starts[x] - firstColumn);
                    var w = weights + (x * taps);
                    var sum = Vector128.Create(Half);
                    for (var t = 0; t < counts[x]; t++)
                    {
                        sum += Widen(pixels[t]) * w[t];
                    }

                    output[x] = Narrow(sum);
                }
            }
        }
    }

    /// <summary>
    /// Each output row as the weighted sum of source rows, four pixels (16 channels) at a time.
    /// <paramref name="firstRow"/> is the source row that row 0 of <paramref name="source"/> holds.
    /// </summary>
    private static void Vertical(byte* source, int sourceRowBytes, int firstRow, ResampleKernel kernel, int width, byte* destination, int destinationRowBytes)
    {
        var taps = kernel.Taps;
        var blocks = width / 4;
        fixed (int* starts = kernel.Starts)
        fixed (int* counts = kernel.Counts)
        fixed (int* weights = kernel.Weights)
        {
            for (var y = 0; y < kernel.Length; y++)
            {
                var top = source + ((long)(starts[y] - firstRow) * sourceRowBytes);
                var w = weights + (y * taps);
                var n = counts[y];
                var output = destination + ((long)y * destinationRowBytes);
                for (var b = 0; b < blocks; b++)
                {
                    Vector128<int> s0 = Vector128.Create(Half), s1 = s0, s2 = s0, s3 = s0;
                    var column = top + (b * 16);
                    for (var t = 0; t < n; t++)
                    {
                        var bytes = Vector128.Load(column + ((long)t * sourceRowBytes));
                        var (low, high) = Vector128.Widen(bytes);
                        var (p0, p1) = Vector128.Widen(low);
                        var (p2, p3) = Vector128.Widen(high);
                        var weight = w[t];
                        s0 += p0.AsInt32() * weight;
                        s1 += p1.AsInt32() * weight;
                        s2 += p2.AsInt32() * weight;
                        s3 += p3.AsInt32() * weight;
                    }

                    var packed = (uint*)(output + (b * 16));
                    packed[0] = Narrow(s0);
                    packed[1] = Narrow(s1);
                    packed[2] = Narrow(s2);
                    packed[3] = Narrow(s3);
                }

                for (var x = blocks * 4; x < width; x++)
                {
                    var sum = Vector128.Create(Half);
                    for (var t = 0; t < n; t++)
                    {
                        sum += Widen(*(uint*)(top + ((long)t * sourceRowBytes) + (x * 4))) * w[t];
                    }

                    ((uint*)output)[x] = Narrow(sum);
                }
            }
        }
    }

    /// <summary>One RGBA pixel as four 32-bit lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Widen(uint pixel)
    {
        var bytes = Vector128.CreateScalarUnsafe(pixel).AsByte();
        return Vector128.WidenLower(Vector128.WidenLower(bytes)).AsInt32();
    }

    /// <summary>PIL's clip8 on four lanes: drop the fraction bits, clamp to 0..255, pack to one RGBA pixel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Narrow(Vector128<int> sum)
    {
        var clamped = Vector128.Clamp(Vector128.ShiftRightArithmetic(sum, ResampleKernel.PrecisionBits), Vector128<int>.Zero, Vector128.Create(255));
        var shorts = Vector128.Narrow(clamped, clamped);
        return Vector128.Narrow(shorts, shorts).AsUInt32().ToScalar();
    }
}
