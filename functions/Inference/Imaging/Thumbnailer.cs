using SkiaSharp;

namespace Serverless.Inference;

/// <summary>
/// A small JPEG of an image for the dashboard's grid: the same limits as classification (size,
/// declared pixels) checked before any pixel is decoded, a reduced-scale decode where the codec
/// allows it, EXIF orientation applied, transparency on white.
/// </summary>
public static unsafe class Thumbnailer
{
    /// <summary>The longest side a thumbnail may be asked for.</summary>
    public const int MaxSize = 512;

    private const int Quality = 82;

    // Between mipmap levels: area-like for the large shrinks of a thumbnail, where plain bilinear aliases.
    private static readonly SKSamplingOptions Sampling = new(SKFilterMode.Linear, SKMipmapMode.Linear);

    /// <summary>The image scaled down to fit <paramref name="size"/> x <paramref name="size"/> (never up), as JPEG bytes.</summary>
    /// <exception cref="ImageRejectedException">The image cannot be decoded; see its code.</exception>
    public static byte[] Render(ReadOnlySpan<byte> encoded, int size, InferenceOptions limits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, MaxSize);
        ImagePreprocessor.CheckEncoded(encoded, limits);
        fixed (byte* bytes = encoded)
        {
            using var data = SKData.Create((IntPtr)bytes, encoded.Length, null);
            using var codec = SKCodec.Create(data) ?? throw ImagePreprocessor.Unreadable(encoded);
            ImagePreprocessor.CheckHeader(codec, encoded, limits);
            var info = codec.Info;

            var fit = Math.Min(1.0, (double)size / Math.Max(info.Width, info.Height));
            var stored = new SKSizeI(Math.Max(1, (int)Math.Round(info.Width * fit)), Math.Max(1, (int)Math.Round(info.Height * fit)));
            // The preprocessor's decode size and pixel limit: a photo classification accepts gets its thumbnail.
            var decode = DecodeSize.Choose(codec, stored);
            ImagePreprocessor.CheckPixelLimit(info.Size, decode, codec.EncodedFormat, encoded, limits);
            using var bitmap = Decode(codec, decode.Size);
            using var image = SKImage.FromBitmap(bitmap);
            var swap = codec.EncodedOrigin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
            var shown = swap ? new SKImageInfo(stored.Height, stored.Width) : new SKImageInfo(stored.Width, stored.Height);
            using var surface = SKSurface.Create(shown.WithColorType(SKColorType.Rgba8888).WithAlphaType(SKAlphaType.Premul))
                ?? throw new ImageRejectedException(PredictionErrorCodes.DecodeFailed, "no surface for the thumbnail.");
            surface.Canvas.Clear(SKColors.White);
            surface.Canvas.SetMatrix(Orientation(codec.EncodedOrigin, stored));
            surface.Canvas.DrawImage(image, SKRect.Create(stored.Width, stored.Height), Sampling);
            using var snapshot = surface.Snapshot();
            using var jpeg = snapshot.Encode(SKEncodedImageFormat.Jpeg, Quality)
                ?? throw new ImageRejectedException(PredictionErrorCodes.DecodeFailed, "encoding the thumbnail failed.");
            return jpeg.ToArray();
        }
    }

    /// <summary>Decodes at <paramref name="size"/> (a scale the codec offers), or at full size where it refuses that scale.</summary>
    private static SKBitmap Decode(SKCodec codec, SKSizeI size)
    {
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result == SKCodecResult.InvalidScale && size != codec.Info.Size)
        {
            bitmap.Dispose();
            info = info.WithSize(codec.Info.Size);
            bitmap = new SKBitmap(info);
            result = codec.GetPixels(info, bitmap.GetPixels());
        }
        try
        {
            ImagePreprocessor.CheckResult(result);
            return bitmap;
        }
        catch
        {
            bitmap.Dispose();
            throw;
        }
    }

    /// <summary>Maps the stored pixels (scaled to <paramref name="stored"/>) to the displayed orientation (EXIF origin).</summary>
    private static SKMatrix Orientation(SKEncodedOrigin origin, SKSizeI stored)
    {
        float w = stored.Width, h = stored.Height;
        return origin switch
        {
            SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),
            SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightTop => new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1),
            SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1),
            _ => SKMatrix.Identity,
        };
    }
}
