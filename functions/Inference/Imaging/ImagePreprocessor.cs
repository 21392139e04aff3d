using SkiaSharp;

namespace Serverless.Inference;

/// <summary>
/// Encoded image bytes to one image's slot of the input tensor, as torchvision's evaluation
/// transform on PIL computes it: limits, decode (JPEG at a reduced DCT scale when the resize allows),
/// PIL's antialiased resize of just the center-crop window, EXIF orientation, channel order,
/// normalization. Transparent pixels are composited on <see cref="InferenceOptions.AlphaBackground"/>.
/// </summary>
public static unsafe class ImagePreprocessor
{
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
            return DecodeInto(codec, encoded, manifest, options, destination);
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

    /// <summary>
    /// The header judged before any decoding: no pixels is corrupt; more declared pixels or a longer
    /// side than the limits is too_large; a JPEG whose scan data is too short to hold the declared
    /// size (see <see cref="JpegFrame.ShortScan"/>) is corrupt, not decoded into grey.
    /// </summary>
    internal static void CheckHeader(SKCodec codec, ReadOnlySpan<byte> encoded, InferenceOptions options)
    {
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0)
        {
            throw new ImageRejectedException(PredictionErrorCodes.CorruptImage, $"the header declares a {width}x{height} image.");
        }

        if (Math.Max(width, height) > options.MaxDeclaredSide)
        {
            throw new ImageRejectedException(PredictionErrorCodes.TooLarge, $"the header declares a {width}x{height} image; a side over {options.MaxDeclaredSide} pixels exceeds the limit.");
        }

        if ((long)width * height > options.MaxDeclaredPixels)
        {
            throw new ImageRejectedException(PredictionErrorCodes.TooLarge, $"the header declares a {width}x{height} image; {(long)width * height} pixels exceed the limit of {options.MaxDeclaredPixels}.");
        }

        if (codec.EncodedFormat == SKEncodedImageFormat.Jpeg && JpegFrame.ShortScan(encoded) is var (present, needed))
        {
            throw new ImageRejectedException(PredictionErrorCodes.CorruptImage, $"the scan data ends early (truncated): {present} bytes cannot hold the declared {width}x{height} image, which needs at least {needed}.");
        }
    }

    private static DecodeInfo DecodeInto(SKCodec codec, ReadOnlySpan<byte> encoded, ModelManifest manifest, InferenceOptions options, Span<float> destination)
    {
        CheckHeader(codec, encoded, options);
        var info = codec.Info;

        // torchvision's geometry is that of the whole image as displayed, whatever scale it decodes at.
        var origin = codec.EncodedOrigin;
        var swap = TensorWriter.SwapsAxes(origin);
        var plan = swap ? ResizePlan.For(info.Height, info.Width, manifest) : ResizePlan.For(info.Width, info.Height, manifest);
        if ((long)plan.Width * plan.Height > options.MaxDecodedPixels)
        {
            // A 1x5000 strip resized to a 256 shorter side would be 256x1280000 before the crop.
            throw new ImageRejectedException(PredictionErrorCodes.TooLarge, $"the {info.Width}x{info.Height} image would resize to {plan.Width}x{plan.Height} pixels (extreme aspect ratio).");
        }

        var resized = swap ? new SKSizeI(plan.Height, plan.Width) : new SKSizeI(plan.Width, plan.Height);
        var decode = DecodeSize.Choose(codec, resized);
        CheckPixelLimit(info.Size, decode, codec.EncodedFormat, encoded, options);

        var decodeScratch = NativeScratch.For(NativeScratch.Decode);
        var windowScratch = NativeScratch.For(NativeScratch.Window);
        try
        {
            var decodeInfo = new SKImageInfo(decode.Size.Width, decode.Size.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
            var pixels = decodeScratch.Get(decodeInfo.BytesSize64);
            var result = codec.GetPixels(decodeInfo, pixels);
            if (result == SKCodecResult.InvalidScale && decode.Eighths != 8)
            {
                decode = new DecodeSize(info.Size, 8);
                decodeInfo = decodeInfo.WithSize(info.Size);
                pixels = decodeScratch.Get(decodeInfo.BytesSize64);
                result = codec.GetPixels(decodeInfo, pixels);
            }

            CheckResult(result);

            var (extentWidth, extentHeight) = decode.Extent(info.Size);
            var rowBytes = decodeInfo.RowBytes;
            if (resized == decode.Size && extentWidth == resized.Width && extentHeight == resized.Height)
            {
                TensorWriter.Write((byte*)pixels, rowBytes, resized.Width, resized.Height, origin, plan.CropX, plan.CropY, manifest, options.AlphaBackground, destination);
            }
            else
            {
                // Resample only the pixels the center crop keeps: PIL's resize of the whole image, cut to the window.
                var crop = StoredWindow.Of(plan, manifest, origin, resized);
                var window = (byte*)windowScratch.Get(crop.Width * 4L * crop.Height);
                Resampler.Resize(
                    (byte*)pixels, rowBytes, decode.Size.Width, decode.Size.Height, extentWidth, extentHeight,
                    (resized.Width, resized.Height), (crop.Left, crop.Top, crop.Width, crop.Height), manifest.Interpolation, swap, window, NativeScratch.For(NativeScratch.Resample));
                TensorWriter.Write(window, crop.Width * 4, crop.Width, crop.Height, origin, 0, 0, manifest, options.AlphaBackground, destination);
            }

            return new DecodeInfo(info.Width, info.Height, decode.Size.Width, decode.Size.Height, origin);
        }
        finally
        {
            decodeScratch.Release();
            windowScratch.Release();
            NativeScratch.For(NativeScratch.Resample).Release();
        }
    }

    /// <summary>
    /// The pixel limit bounds memory, so it applies to what is decoded: a 108-megapixel phone JPEG
    /// decoded at 1/8 passes. A JPEG that libjpeg buffers whole (progressive) costs memory for its
    /// declared size at any scale, so for it the declared size counts too.
    /// </summary>
    internal static void CheckPixelLimit(SKSizeI declared, DecodeSize decode, SKEncodedImageFormat format, ReadOnlySpan<byte> encoded, InferenceOptions options)
    {
        var limit = options.MaxDecodedPixels;
        if ((long)decode.Size.Width * decode.Size.Height > limit)
        {
            var scaled = decode.Eighths == 8 ? "" : $" (decoded at {decode.Eighths}/8: {decode.Size.Width}x{decode.Size.Height})";
            throw new ImageRejectedException(PredictionErrorCodes.TooLarge, $"{declared.Width}x{declared.Height} pixels{scaled} exceed the limit of {limit} pixels.");
        }

        if (format == SKEncodedImageFormat.Jpeg && (long)declared.Width * declared.Height > limit && JpegFrame.BuffersWholeImage(encoded))
        {
            throw new ImageRejectedException(PredictionErrorCodes.TooLarge, $"{declared.Width}x{declared.Height} pixels exceed the limit of {limit} pixels (a progressive JPEG is held whole while it decodes, at any scale).");
        }
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

    private const string Readable = "JPEG, PNG, WebP, BMP, GIF, ICO, WBMP";

    internal static ImageRejectedException Unreadable(ReadOnlySpan<byte> encoded) => FormatSniffer.Sniff(encoded) switch
    {
        { Decodable: true } format => new(PredictionErrorCodes.CorruptImage, $"the file looks like {format.Name} but its header cannot be read."),
        { } format => new(PredictionErrorCodes.UnsupportedFormat, $"{format.Name} is not a format the decoder reads ({Readable})."),
        null => new(PredictionErrorCodes.UnsupportedFormat, $"the bytes are not an image format the decoder knows ({Readable})."),
    };
}
