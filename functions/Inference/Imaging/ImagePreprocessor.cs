using SkiaSharp;

namespace Serverless.Inference;

/// <summary>
/// Encoded image bytes to one image's slot of the input tensor: limits, decode (reduced scale when
/// the codec allows, never below what the resize needs), resize, EXIF orientation, center crop,
/// channel order, normalization. Transparent pixels are composited on <see cref="InferenceOptions.AlphaBackground"/>.
/// </summary>
public static unsafe class ImagePreprocessor
{
    /// <summary>Bilinear on the decoded pixels: every source pixel still contributes when the shrink is at least 1/2.</summary>
    public static SKSamplingOptions Bilinear { get; } = new(SKFilterMode.Linear, SKMipmapMode.None);

    /// <summary>Bilinear between linearly blended mipmap levels: area-like for shrinks below 1/2, where plain bilinear would alias.</summary>
    public static SKSamplingOptions MipmapBilinear { get; } = new(SKFilterMode.Linear, SKMipmapMode.Linear);

    /// <summary>
    /// The resampling of a resize by <paramref name="scale"/> (resized / decoded size, the smaller
    /// of the two axes): <see cref="Bilinear"/> from 1/2 up, else <see cref="MipmapBilinear"/>. After a
    /// reduced-scale JPEG decode the remaining shrink is above 1/2, so mipmaps (a whole-image
    /// half-size copy) are only built for codecs that decode at full size.
    /// </summary>
    public static SKSamplingOptions SamplingFor(double scale) => scale >= 0.5 ? Bilinear : MipmapBilinear;

    // JPEG decodes at n/8 scales; other codecs answer their full size (WebP any size).
    private static readonly float[] DecodeScales = [1 / 8f, 2 / 8f, 3 / 8f, 4 / 8f, 5 / 8f, 6 / 8f, 7 / 8f];

    /// <summary>Preprocesses <paramref name="encoded"/> into <paramref name="destination"/> (3 x width x height floats).</summary>
    /// <returns>The size the image was decoded at (stored orientation) and its EXIF origin.</returns>
    /// <exception cref="ImageRejectedException">The image cannot be used; see its code.</exception>
    public static DecodeInfo Preprocess(ReadOnlySpan<byte> encoded, ModelManifest manifest, InferenceOptions options, Span<float> destination)
    {
        CheckEncoded(encoded, options);
        if (destination.Length < 3 * manifest.Width * manifest.Height)
        {
            throw new ArgumentException("The destination is smaller than one image.", nameof(destination));
        }

        fixed (byte* bytes = encoded)
        {
            // Wrap, not copy: the span stays pinned for as long as the codec lives.
            using var data = SKData.Create((IntPtr)bytes, encoded.Length, null);
            using var codec = SKCodec.Create(data) ?? throw Unreadable(encoded);
            return DecodeInto(codec, manifest, options, destination);
        }
    }

    /// <summary>The limits on the encoded bytes: not empty, not over <see cref="InferenceOptions.MaxEncodedBytes"/>.</summary>
    internal static void CheckEncoded(ReadOnlySpan<byte> encoded, InferenceOptions options)
    {
        if (encoded.IsEmpty)
        {
            throw new ImageRejectedException(PredictionErrorCodes.EmptyFile, "the file is empty.");
        }

        if (encoded.Length > options.MaxEncodedBytes)
        {
            throw new ImageRejectedException(PredictionErrorCodes.TooLarge, $"{encoded.Length} bytes exceed the limit of {options.MaxEncodedBytes}.");
        }
    }

    /// <summary>The limits on the header, checked before any pixel memory is allocated (decompression bombs).</summary>
    internal static void CheckHeader(SKCodec codec, InferenceOptions options)
    {
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0)
        {
            throw new ImageRejectedException(PredictionErrorCodes.CorruptImage, $"the header declares a {info.Width}x{info.Height} image.");
        }

        if ((long)info.Width * info.Height > options.MaxDecodedPixels)
        {
            throw new ImageRejectedException(PredictionErrorCodes.TooLarge, $"{info.Width}x{info.Height} pixels exceed the limit of {options.MaxDecodedPixels} pixels.");
        }
    }

    private static DecodeInfo DecodeInto(SKCodec codec, ModelManifest manifest, InferenceOptions options, Span<float> destination)
    {
        CheckHeader(codec, options);
        var info = codec.Info;

        var origin = codec.EncodedOrigin;
        var swap = TensorWriter.SwapsAxes(origin);
        var decoded = ChooseDecodeSize(codec, manifest, swap);
        var decodeScratch = NativeScratch.For(0);
        var resizeScratch = NativeScratch.For(1);
        try
        {
            var decodeInfo = new SKImageInfo(decoded.Width, decoded.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
            var pixels = decodeScratch.Get(decodeInfo.BytesSize64);
            var result = codec.GetPixels(decodeInfo, pixels);
            if (result == SKCodecResult.InvalidScale && decoded != info.Size)
            {
                decoded = info.Size;
                decodeInfo = decodeInfo.WithSize(decoded);
                pixels = decodeScratch.Get(decodeInfo.BytesSize64);
                result = codec.GetPixels(decodeInfo, pixels);
            }

            CheckResult(result);

            // Plan in displayed orientation; resize in stored orientation; orient while writing.
            var plan = swap ? ResizePlan.For(decoded.Height, decoded.Width, manifest) : ResizePlan.For(decoded.Width, decoded.Height, manifest);
            if ((long)plan.Width * plan.Height > options.MaxDecodedPixels)
            {
                // A 1x5000 strip resized to a 256 shorter side would be 256x1280000 before the crop.
                throw new ImageRejectedException(PredictionErrorCodes.TooLarge, $"the {info.Width}x{info.Height} image would resize to {plan.Width}x{plan.Height} pixels (extreme aspect ratio).");
            }

            var stored = swap ? new SKSizeI(plan.Height, plan.Width) : new SKSizeI(plan.Width, plan.Height);
            using var source = new SKPixmap(decodeInfo, pixels, decodeInfo.RowBytes);
            if (stored == decoded)
            {
                TensorWriter.Write((byte*)pixels, source.RowBytes, decoded.Width, decoded.Height, origin, plan.CropX, plan.CropY, manifest, options.AlphaBackground, destination);
            }
            else
            {
                // Resample only the pixels the center crop keeps (a quarter fewer or more on a 256 -> 224 crop).
                var crop = StoredCrop(plan, manifest, origin, stored);
                var cropInfo = decodeInfo.WithSize(crop.Width, crop.Height);
                var cropPixels = resizeScratch.Get(cropInfo.BytesSize64);
                ResizeRegion(source, stored, crop, cropInfo, cropPixels);
                TensorWriter.Write((byte*)cropPixels, cropInfo.RowBytes, crop.Width, crop.Height, origin, 0, 0, manifest, options.AlphaBackground, destination);
            }

            return new DecodeInfo(info.Width, info.Height, decoded.Width, decoded.Height, origin);
        }
        finally
        {
            decodeScratch.Release();
            resizeScratch.Release();
        }
    }

    /// <summary>
    /// Writes the <paramref name="crop"/> window of <paramref name="source"/> resized to
    /// <paramref name="resized"/>: the same image shader, clamp edges and scale matrix as
    /// <see cref="SKPixmap.ScalePixels(SKPixmap, SKSamplingOptions)"/> on the whole image, shifted
    /// so that only the window is rendered.
    /// </summary>
    private static void ResizeRegion(SKPixmap source, SKSizeI resized, SKRectI crop, SKImageInfo cropInfo, IntPtr cropPixels)
    {
        float sx = (float)resized.Width / source.Width, sy = (float)resized.Height / source.Height;
        var sampling = SamplingFor(Math.Min((double)resized.Width / source.Width, (double)resized.Height / source.Height));
        using var image = SKImage.FromPixels(source) ?? throw Failed();
        using var shader = image.ToShader(SKShaderTileMode.Clamp, SKShaderTileMode.Clamp, sampling, SKMatrix.CreateScaleTranslation(sx, sy, -crop.Left, -crop.Top)) ?? throw Failed();
        using var surface = SKSurface.Create(cropInfo, cropPixels, cropInfo.RowBytes) ?? throw Failed();
        using var paint = new SKPaint { Shader = shader, BlendMode = SKBlendMode.Src };
        surface.Canvas.DrawPaint(paint);
        surface.Flush();

        static ImageRejectedException Failed() => new(PredictionErrorCodes.DecodeFailed, "resizing the image failed.");
    }

    /// <summary>The center crop (displayed coordinates of the plan) as a rectangle of the stored, resized image.</summary>
    internal static SKRectI StoredCrop(ResizePlan plan, ModelManifest manifest, SKEncodedOrigin origin, SKSizeI stored)
    {
        var (x0, y0) = ToStored(plan.CropX, plan.CropY, origin, stored);
        var (x1, y1) = ToStored(plan.CropX + manifest.Width - 1, plan.CropY + manifest.Height - 1, origin, stored);
        return new SKRectI(Math.Min(x0, x1), Math.Min(y0, y1), Math.Max(x0, x1) + 1, Math.Max(y0, y1) + 1);
    }

    /// <summary>The stored pixel shown at displayed (u, v); the inverse of the EXIF orientation.</summary>
    private static (int X, int Y) ToStored(int u, int v, SKEncodedOrigin origin, SKSizeI stored)
    {
        int w = stored.Width, h = stored.Height;
        return origin switch
        {
            SKEncodedOrigin.TopRight => (w - 1 - u, v),
            SKEncodedOrigin.BottomRight => (w - 1 - u, h - 1 - v),
            SKEncodedOrigin.BottomLeft => (u, h - 1 - v),
            SKEncodedOrigin.LeftTop => (v, u),
            SKEncodedOrigin.RightTop => (v, h - 1 - u),
            SKEncodedOrigin.RightBottom => (w - 1 - v, h - 1 - u),
            SKEncodedOrigin.LeftBottom => (w - 1 - v, u),
            _ => (u, v),
        };
    }

    /// <summary>The smallest codec-supported size that still covers the resize target in both axes.</summary>
    private static SKSizeI ChooseDecodeSize(SKCodec codec, ModelManifest manifest, bool swap)
    {
        var full = codec.Info.Size;
        var target = swap ? ResizePlan.For(full.Height, full.Width, manifest) : ResizePlan.For(full.Width, full.Height, manifest);
        var (needW, needH) = swap ? (target.Height, target.Width) : (target.Width, target.Height);
        foreach (var scale in DecodeScales)
        {
            var size = codec.GetScaledDimensions(scale);
            if (size == full)
            {
                break;
            }

            if (size.Width >= needW && size.Height >= needH)
            {
                return size;
            }
        }

        return full;
    }

    /// <summary>A decode's result as the reason code it fails the image with (nothing on success).</summary>
    internal static void CheckResult(SKCodecResult result)
    {
        switch (result)
        {
            case SKCodecResult.Success:
                return;
            case SKCodecResult.IncompleteInput:
                throw new ImageRejectedException(PredictionErrorCodes.CorruptImage, "the image data ends early (truncated file).");
            case SKCodecResult.ErrorInInput:
                throw new ImageRejectedException(PredictionErrorCodes.CorruptImage, "the image data is corrupt.");
            case SKCodecResult.InvalidConversion or SKCodecResult.Unimplemented:
                throw new ImageRejectedException(PredictionErrorCodes.UnsupportedFormat, $"the decoder cannot convert this image to RGBA ({result}).");
            default:
                throw new ImageRejectedException(PredictionErrorCodes.CorruptImage, $"decoding failed ({result}).");
        }
    }

    internal static ImageRejectedException Unreadable(ReadOnlySpan<byte> encoded) => FormatSniffer.Sniff(encoded) is { } format
        ? new ImageRejectedException(PredictionErrorCodes.CorruptImage, $"the file looks like {format} but its header cannot be read.")
        : new ImageRejectedException(PredictionErrorCodes.UnsupportedFormat, "the bytes are not an image format the decoder knows (JPEG, PNG, WebP, BMP, GIF, ICO, WBMP).");
}
