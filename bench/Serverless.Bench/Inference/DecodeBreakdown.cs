using SkiaSharp;
using Serverless.Inference;

namespace Serverless.Bench;

/// <summary>
/// How much of one image's preprocessing is the JPEG codec alone: decode at the reduced scale the
/// preprocessor picks (the smallest n/8 that still covers the resize), into a reused buffer.
/// </summary>
internal static class DecodeBreakdown
{
    private static readonly float[] Scales = [1 / 8f, 2 / 8f, 3 / 8f, 4 / 8f, 5 / 8f, 6 / 8f, 7 / 8f, 1f];

    public static void CodecOnly(ModelManifest manifest, byte[][] encoded) => Run(manifest, encoded);

    /// <summary>The codec, then the whole-image resize to the shorter side the manifest asks for (with the preprocessor's sampling; the library resizes only the crop).</summary>
    public static void CodecAndResize(ModelManifest manifest, byte[][] encoded) => Run(manifest, encoded, resize: true);

    private static unsafe void Run(ModelManifest manifest, byte[][] encoded, bool resize = false)
    {
        var resized = new byte[4096 * 4096 * 4];
        var need = manifest.ResizeShorter ?? Math.Max(manifest.Width, manifest.Height);
        var buffer = new byte[4096 * 4096 * 4];
        fixed (byte* pixels = buffer)
        fixed (byte* target = resized)
        {
            foreach (var bytes in encoded)
            {
                using var data = SKData.CreateCopy(bytes);
                using var codec = SKCodec.Create(data);
                var size = Scales.Select(codec.GetScaledDimensions).First(s => Math.Min(s.Width, s.Height) >= need || s == codec.Info.Size);
                var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
                if (info.BytesSize64 > buffer.Length || codec.GetPixels(info, (IntPtr)pixels) != SKCodecResult.Success)
                {
                    throw new InvalidOperationException("decode failed.");
                }

                if (resize)
                {
                    var shorter = Math.Min(size.Width, size.Height);
                    var how = ImagePreprocessor.SamplingFor((double)need / shorter);
                    var outInfo = info.WithSize((int)Math.Round(size.Width * (double)need / shorter), (int)Math.Round(size.Height * (double)need / shorter));
                    using var source = new SKPixmap(info, (IntPtr)pixels, info.RowBytes);
                    using var dest = new SKPixmap(outInfo, (IntPtr)target, outInfo.RowBytes);
                    if (!source.ScalePixels(dest, how))
                    {
                        throw new InvalidOperationException("resize failed.");
                    }
                }
            }
        }
    }
}
