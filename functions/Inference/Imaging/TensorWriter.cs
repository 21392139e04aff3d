using SkiaSharp;

namespace Serverless.Inference;

/// <summary>
/// Writes the crop of a premultiplied RGBA image into the tensor, applying the EXIF orientation
/// on the fly (the crop is in displayed coordinates), the channel order, the alpha background and
/// the normalization, in NCHW or NHWC.
/// </summary>
internal static unsafe class TensorWriter
{
    /// <param name="pixels">Premultiplied RGBA8888 pixels as stored (before orientation).</param>
    /// <param name="rowBytes">Bytes per stored row.</param>
    /// <param name="width">Stored width.</param>
    /// <param name="height">Stored height.</param>
    /// <param name="origin">EXIF origin of the stored pixels.</param>
    /// <param name="cropX">Crop left in displayed coordinates.</param>
    /// <param name="cropY">Crop top in displayed coordinates.</param>
    /// <param name="m">Manifest: output size, layout, order, normalization.</param>
    /// <param name="background">Alpha background.</param>
    /// <param name="dest">One image's slot in the batch tensor (3 x Width x Height floats).</param>
    public static void Write(byte* pixels, int rowBytes, int width, int height, SKEncodedOrigin origin, int cropX, int cropY, ModelManifest m, AlphaBackground background, Span<float> dest)
    {
        var (offset, stepU, stepV) = Strides(origin, rowBytes, width, height);

        // One lookup table per tensor channel: pixel byte -> normalized float.
        Span<float> lut = stackalloc float[3 * 256];
        for (var c = 0; c < 3; c++)
        {
            var a = m.Scale / m.Std[c];
            var b = -m.Mean[c] / m.Std[c];
            for (var v = 0; v < 256; v++)
            {
                lut[(c * 256) + v] = (v * a) + b;
            }
        }

        // Tensor channel 0 reads red for RGB and blue for BGR.
        var first = m.ColorOrder == ColorOrder.RGB ? 0 : 2;
        var last = 2 - first;
        var white = background == AlphaBackground.White;
        int outW = m.Width, outH = m.Height, plane = outW * outH;
        fixed (float* d = dest)
        fixed (float* t = lut)
        {
            for (var y = 0; y < outH; y++)
            {
                var row = pixels + offset + ((long)(y + cropY) * stepV) + ((long)cropX * stepU);
                for (var x = 0; x < outW; x++)
                {
                    var p = row + ((long)x * stepU);
                    int c0 = p[first], c1 = p[1], c2 = p[last];
                    if (white)
                    {
                        var cover = 255 - p[3];
                        c0 += cover;
                        c1 += cover;
                        c2 += cover;
                    }

                    if (m.Layout == TensorLayout.NCHW)
                    {
                        var i = (y * outW) + x;
                        d[i] = t[c0];
                        d[plane + i] = t[256 + c1];
                        d[(2 * plane) + i] = t[512 + c2];
                    }
                    else
                    {
                        var i = ((y * outW) + x) * 3;
                        d[i] = t[c0];
                        d[i + 1] = t[256 + c1];
                        d[i + 2] = t[512 + c2];
                    }
                }
            }
        }
    }

    /// <summary>Displayed pixel (u, v) is at byte offset + u * stepU + v * stepV of the stored image.</summary>
    internal static (long Offset, long StepU, long StepV) Strides(SKEncodedOrigin origin, int rowBytes, int width, int height)
    {
        long rb = rowBytes, lastRow = (height - 1) * rb, lastCol = (width - 1) * 4L;
        return origin switch
        {
            SKEncodedOrigin.TopRight => (lastCol, -4, rb),
            SKEncodedOrigin.BottomRight => (lastRow + lastCol, -4, -rb),
            SKEncodedOrigin.BottomLeft => (lastRow, 4, -rb),
            SKEncodedOrigin.LeftTop => (0, rb, 4),
            SKEncodedOrigin.RightTop => (lastRow, -rb, 4),
            SKEncodedOrigin.RightBottom => (lastRow + lastCol, -rb, -4),
            SKEncodedOrigin.LeftBottom => (lastCol, rb, -4),
            _ => (0, 4, rb),
        };
    }

    /// <summary>True when the origin swaps width and height (90 or 270 degree rotations, transpositions).</summary>
    internal static bool SwapsAxes(SKEncodedOrigin origin) => origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
}
