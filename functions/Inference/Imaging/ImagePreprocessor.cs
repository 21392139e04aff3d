using SkiaSharp;

namespace Serverless.Inference;

/// <summary>
/// Encoded image bytes to one image's slot of the input tensor: limits, decode (reduced scale when
/// the codec allows, never below what the resize needs), resize, EXIF orientation, center crop,
/// channel order, normalization. Transparent pixels are composited on <see cref="InferenceOptions.AlphaBackground"/>.
/// </summary>
public static unsafe class ImagePreprocessor
{
    /// <summary>The resampling of the resize: bilinear between linearly blended mipmap levels (area-like on downscales).</summary>
    public static SKSamplingOptions Sampling { get; } = new(SKFilterMode.Linear, SKMipmapMode.Linear);

    // JPEG decodes at n/8 scales; other codecs answer their full size (WebP any size).
    private static readonly float[] DecodeScales = [1 / 8f, 2 / 8f, 3 / 8f, 4 / 8f, 5 / 8f, 6 / 8f, 7 / 8f];

    /// <summary>Preprocesses <paramref name="encoded"/> into <paramref name="destination"/> (3 x width x height floats).</summary>
    /// <returns>The size the image was decoded at (stored orientation) and its EXIF origin.</returns>
    /// <exception cref="ImageRejectedException">The image cannot be used; see its code.</exception>
    public static DecodeInfo Preprocess(ReadOnlySpan<byte> encoded, ModelManifest manifest, InferenceOptions options, Span<float> destination)
    {
        if (encoded.IsEmpty)
        {
            throw new ImageRejectedException(PredictionErrorCodes.EmptyFile, "the file is empty.");
        }

        if (encoded.Length > options.MaxEncodedBytes)
        {
            throw new ImageRejectedException(PredictionErrorCodes.TooLarge, $"{encoded.Length} bytes exceed the limit of {options.MaxEncodedBytes}.");
        }

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

    private static DecodeInfo DecodeInto(SKCodec codec, ModelManifest manifest, InferenceOptions options, Span<float> destination)
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
            var final = source;
            SKPixmap? resized = null;
            if (stored != decoded)
            {
                var resizedInfo = decodeInfo.WithSize(stored);
                resized = new SKPixmap(resizedInfo, resizeScratch.Get(resizedInfo.BytesSize64), resizedInfo.RowBytes);
                if (!source.ScalePixels(resized, Sampling))
                {
                    resized.Dispose();
                    throw new ImageRejectedException(PredictionErrorCodes.DecodeFailed, "resizing the image failed.");
                }

                final = resized;
            }

            using (resized)
            {
                TensorWriter.Write((byte*)final.GetPixels(), final.RowBytes, final.Width, final.Height, origin, plan.CropX, plan.CropY, manifest, options.AlphaBackground, destination);
            }

            return new DecodeInfo(info.Width, info.Height, decoded.Width, decoded.Height, origin);
        }
        finally
        {
            decodeScratch.Release();
            resizeScratch.Release();
        }
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

    private static void CheckResult(SKCodecResult result)
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

    private static ImageRejectedException Unreadable(ReadOnlySpan<byte> encoded) => FormatSniffer.Sniff(encoded) is { } format
        ? new ImageRejectedException(PredictionErrorCodes.CorruptImage, $"the file looks like {format} but its header cannot be read.")
        : new ImageRejectedException(PredictionErrorCodes.UnsupportedFormat, "the bytes are not an image format the decoder knows (JPEG, PNG, WebP, BMP, GIF, ICO, WBMP).");
}
