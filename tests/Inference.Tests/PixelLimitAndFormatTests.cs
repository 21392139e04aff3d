using Serverless.Inference.Tests.Support;
using SkiaSharp;

namespace Serverless.Inference.Tests;

/// <summary>The pixel limit counts what is decoded; formats the decoder does not read are named as such.</summary>
public sealed class PixelLimitAndFormatTests
{
    private static readonly ModelManifest Imagenet = ManifestPresets.Get("imagenet");

    // 2048 x 1536 = 3.1 megapixels declared; at 3/8 it decodes to 768 x 576 = 0.44 megapixels.
    private static readonly InferenceOptions OneMegapixel = new() { MaxDecodedPixels = 1_000_000 };

    [Fact]
    public void JpegOverTheLimitThatDecodesUnderItAtReducedScaleIsAccepted()
    {
        // The phone case: a 108-megapixel JPEG decodes at 1/8 in 13.5 megapixels of memory.
        var info = ImagePreprocessor.Preprocess(LargeJpeg(), Imagenet, OneMegapixel, new float[3 * 224 * 224]);

        Assert.Equal((2048, 1536, 768, 576), (info.Width, info.Height, info.DecodedWidth, info.DecodedHeight));
    }

    [Fact]
    public void ImageThatDecodesOverTheLimitIsTooLarge()
    {
        // Straight to 1500 x 1200 (vit-like, no crop): 3/4 is the smallest scale of twice that, 1536 x 1152.
        var manifest = ManifestPresets.Get("vit") with { Width = 750, Height = 560 };
        var e = Assert.Throws<ImageRejectedException>(() => ImagePreprocessor.Preprocess(LargeJpeg(), manifest, OneMegapixel, new float[3 * 750 * 560]));

        Assert.Equal(PredictionErrorCodes.TooLarge, e.Code);
        Assert.Contains("decoded at 6/8: 1536x1152", e.Message);
    }

    [Fact]
    public void ProgressiveJpegOverTheLimitIsTooLargeAtAnyScale()
    {
        // libjpeg holds a progressive image's coefficients whole: the declared size is the memory.
        // The header alone decides, so a baseline file relabelled SOF2 stands in for a real one.
        var jpeg = LargeJpeg();
        var sof = IndexOfMarker(jpeg, 0xC0);
        jpeg[sof + 1] = 0xC2;

        var e = Assert.Throws<ImageRejectedException>(() => ImagePreprocessor.Preprocess(jpeg, Imagenet, OneMegapixel, new float[3 * 224 * 224]));

        Assert.Equal(PredictionErrorCodes.TooLarge, e.Code);
        Assert.Contains("progressive", e.Message);
    }

    [Theory]
    [InlineData("II*\0", "TIFF")]
    [InlineData("MM\0*", "TIFF")]
    [InlineData("\0\0\0\u0018ftypheic", "HEIF")]
    [InlineData("\0\0\0\u0018ftypmif1", "HEIF")]
    [InlineData("\0\0\0\u001cftypavif", "AVIF")]
    public void FormatsTheDecoderDoesNotReadAreUnsupported(string magic, string name)
    {
        byte[] bytes = [.. magic.Select(c => (byte)c), .. new byte[200]];

        var e = Assert.Throws<ImageRejectedException>(() => ImagePreprocessor.Preprocess(bytes, Imagenet, InferenceOptions.Default, new float[3 * 224 * 224]));

        Assert.Equal(PredictionErrorCodes.UnsupportedFormat, e.Code);
        Assert.Contains(name, e.Message);
    }

    [Fact]
    public void DamagedHeaderOfAReadFormatIsCorrupt()
    {
        byte[] bytes = [0xFF, 0xD8, 0xFF, 0xE0, .. new byte[100]];

        var e = Assert.Throws<ImageRejectedException>(() => ImagePreprocessor.Preprocess(bytes, Imagenet, InferenceOptions.Default, new float[3 * 224 * 224]));

        Assert.Equal(PredictionErrorCodes.CorruptImage, e.Code);
        Assert.Contains("JPEG", e.Message);
    }

    private static byte[] LargeJpeg()
    {
        using var bitmap = SyntheticImages.Gradient(2048, 1536);
        return SyntheticImages.Encode(bitmap, SKEncodedImageFormat.Jpeg);
    }

    private static int IndexOfMarker(byte[] jpeg, byte marker)
    {
        for (var i = 2; i + 1 < jpeg.Length; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] == marker)
            {
                return i;
            }
        }

        throw new InvalidDataException($"no FF{marker:X2} marker");
    }
}
