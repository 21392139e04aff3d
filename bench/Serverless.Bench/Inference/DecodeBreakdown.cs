using SkiaSharp;
using Serverless.Inference;

namespace Serverless.Bench;

/// <summary>
/// How much of one image's preprocessing is the JPEG codec alone: decode at the reduced scale the
/// preprocessor picks (the smallest n/8 at least twice the resize, else full size), into a reused
/// buffer. The rest of decode_ms_per_image is the resize of the crop window and the tensor write.
/// </summary>
internal static class DecodeBreakdown
{
    public static unsafe void CodecOnly(ModelManifest manifest, byte[][] encoded)
    {
        var need = 2 * (manifest.ResizeShorter ?? Math.Max(manifest.Width, manifest.Height));
        var buffer = new byte[4096 * 4096 * 4];
        fixed (byte* pixels = buffer)
        {
            foreach (var bytes in encoded)
            {
                using var data = SKData.CreateCopy(bytes);
                using var codec = SKCodec.Create(data);
                var size = Enumerable.Range(1, 8).Select(n => codec.GetScaledDimensions(n / 8f)).First(s => Math.Min(s.Width, s.Height) >= need || s == codec.Info.Size);
                var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
                if (info.BytesSize64 > buffer.Length || codec.GetPixels(info, (IntPtr)pixels) != SKCodecResult.Success)
                {
                    throw new InvalidOperationException("decode failed.");
                }
            }
        }
    }
}
