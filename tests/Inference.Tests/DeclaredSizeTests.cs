using Serverless.Inference.Tests.Support;
using SkiaSharp;

namespace Serverless.Inference.Tests;

/// <summary>
/// A JPEG's header is judged before it is decoded: a declared size over the limits is too_large, and
/// scan data too short for the declared size is corrupt_image. The files are made here: a small real
/// JPEG whose frame header (SOF) is rewritten to claim another size.
/// </summary>
public sealed class DeclaredSizeTests
{
    private static readonly ModelManifest Imagenet = ManifestPresets.Get("imagenet");

    [Fact]
    public void A_header_claiming_60000_by_60000_over_64_by_64_data_is_too_large_before_decoding()
    {
        var jpeg = Claiming(SmallJpeg(), 60_000, 60_000);

        var e = Reject(jpeg, InferenceOptions.Default);

        Assert.Equal(PredictionErrorCodes.TooLarge, e.Code);
        Assert.Contains("declares a 60000x60000 image", e.Message);
    }

    [Fact]
    public void A_side_over_the_limit_is_too_large_even_when_the_pixels_are_few()
    {
        var e = Reject(Claiming(SmallJpeg(), 40_000, 64), InferenceOptions.Default);

        Assert.Equal(PredictionErrorCodes.TooLarge, e.Code);
        Assert.Contains("a side over 32768", e.Message);
    }

    [Fact]
    public void The_limits_are_options()
    {
        // A real 2048 x 1536 JPEG that the defaults accept.
        var jpeg = Encode(SyntheticImages.Gradient(2048, 1536));
        Preprocess(jpeg, InferenceOptions.Default);

        Assert.Equal(PredictionErrorCodes.TooLarge, Reject(jpeg, new InferenceOptions { MaxDeclaredSide = 2000 }).Code);
        Assert.Equal(PredictionErrorCodes.TooLarge, Reject(jpeg, new InferenceOptions { MaxDeclaredPixels = 3_000_000 }).Code);
    }

    [Theory]
    [InlineData(12_000, 9_000)] // a 108 MP phone photo
    [InlineData(16_320, 12_240)] // a 200 MP phone photo
    public void A_phone_photos_declared_size_passes_the_size_limits(int width, int height)
    {
        // Over 64 x 64 data the scan is short, so it fails, but as corrupt, past the size limits.
        var e = Reject(Claiming(SmallJpeg(), width, height), InferenceOptions.Default);

        Assert.Equal(PredictionErrorCodes.CorruptImage, e.Code);
    }

    [Fact]
    public void Scan_data_far_shorter_than_the_declared_size_is_corrupt_not_decoded_into_grey()
    {
        // 8000 x 6000 is within every limit and decodes at 1/8; its 750,000 luma blocks need 94 KB.
        var jpeg = Claiming(SmallJpeg(), 8_000, 6_000);

        var e = Reject(jpeg, InferenceOptions.Default);

        Assert.Equal(PredictionErrorCodes.CorruptImage, e.Code);
        Assert.Contains("ends early", e.Message);
        Assert.Contains("8000x6000", e.Message);
    }

    [Fact]
    public void The_most_compressible_real_jpeg_passes_the_scan_bound()
    {
        // One flat colour: about the fewest scan bytes a block can take with the encoder's tables.
        using var solid = SyntheticImages.Solid(4000, 3000, SKColors.White);
        var jpeg = Encode(solid, quality: 10);

        var info = Preprocess(jpeg, InferenceOptions.Default);

        Assert.Equal((4000, 3000), (info.Width, info.Height));
    }

    [Fact]
    public void The_thumbnailer_judges_the_header_the_same_way()
    {
        var e = Assert.Throws<ImageRejectedException>(() => Thumbnailer.Render(Claiming(SmallJpeg(), 60_000, 60_000), 128, InferenceOptions.Default));

        Assert.Equal(PredictionErrorCodes.TooLarge, e.Code);
    }

    private static DecodeInfo Preprocess(byte[] jpeg, InferenceOptions options) =>
        ImagePreprocessor.Preprocess(jpeg, Imagenet, options, new float[3 * 224 * 224]);

    private static ImageRejectedException Reject(byte[] jpeg, InferenceOptions options) =>
        Assert.Throws<ImageRejectedException>(() => Preprocess(jpeg, options));

    private static byte[] SmallJpeg() => Encode(SyntheticImages.Gradient(64, 64));

    private static byte[] Encode(SKBitmap bitmap, int quality = 95)
    {
        using (bitmap)
        {
            return SyntheticImages.Encode(bitmap, SKEncodedImageFormat.Jpeg, quality);
        }
    }

    /// <summary>The JPEG with its baseline frame header (SOF0) rewritten to declare <paramref name="width"/> x <paramref name="height"/>.</summary>
    private static byte[] Claiming(byte[] jpeg, int width, int height)
    {
        var copy = (byte[])jpeg.Clone();
        for (var i = 2; i + 8 < copy.Length; i++)
        {
            if (copy[i] == 0xFF && copy[i + 1] == 0xC0)
            {
                // FF C0, length (2), precision (1), height (2), width (2).
                copy[i + 5] = (byte)(height >> 8);
                copy[i + 6] = (byte)height;
                copy[i + 7] = (byte)(width >> 8);
                copy[i + 8] = (byte)width;
                return copy;
            }
        }

        throw new InvalidDataException("no SOF0 marker");
    }
}
