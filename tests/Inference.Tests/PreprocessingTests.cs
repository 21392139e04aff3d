using Serverless.Inference.Tests.Support;
using SkiaSharp;

namespace Serverless.Inference.Tests;

/// <summary>The tensor of the library against the independent reference of <see cref="ReferencePreprocessor"/>.</summary>
public sealed class PreprocessingTests
{
    // Same decoded pixels, the same filters and PIL's rounding on both sides: the same tensor, up to
    // the float rounding of the normalization.
    private const float SameDecodeTolerance = 1e-4f;

    private static readonly ModelManifest Imagenet = ManifestPresets.Get("imagenet");

    public static TheoryData<string> SyntheticCases => new(SyntheticCase.Names);

    [Theory]
    [MemberData(nameof(SyntheticCases))]
    public void SyntheticImageMatchesReference(string name)
    {
        var (bytes, manifest, white) = SyntheticCase.Build(name);
        var options = new InferenceOptions { AlphaBackground = white ? AlphaBackground.White : AlphaBackground.Black };
        var tensor = new float[3 * manifest.Width * manifest.Height];

        var info = ImagePreprocessor.Preprocess(bytes, manifest, options, tensor);

        var reference = ReferencePreprocessor.Compute(bytes, manifest, new SKSizeI(info.DecodedWidth, info.DecodedHeight), white);
        AssertSameDecode(tensor, reference, name);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void ExifOrientationIsAppliedLikeTheReference(int orientation)
    {
        using var bitmap = SyntheticImages.Gradient(400, 300);
        var jpeg = ExifJpeg.WithOrientation(SyntheticImages.Encode(bitmap, SKEncodedImageFormat.Jpeg), orientation);
        var tensor = new float[3 * 224 * 224];

        var info = ImagePreprocessor.Preprocess(jpeg, Imagenet, InferenceOptions.Default, tensor);

        Assert.Equal(orientation, (int)info.Origin);
        var reference = ReferencePreprocessor.Compute(jpeg, Imagenet, new SKSizeI(info.DecodedWidth, info.DecodedHeight));

        // The library resizes before it orients, the reference after: the filters are mirror-symmetric,
        // and under a quarter turn the library runs its passes in the displayed order, as PIL would.
        AssertSameDecode(tensor, reference, $"orientation {orientation}");
    }

    [Fact]
    public void RotatedJpegShowsItsTopLeftQuadrantAtTheTopRight()
    {
        // EXIF 6: the viewer turns the stored image 90 degrees clockwise; stored top-left (red) lands top-right.
        using var bitmap = SyntheticImages.Quadrants(320, 320);
        var jpeg = ExifJpeg.WithOrientation(SyntheticImages.Encode(bitmap, SKEncodedImageFormat.Jpeg), 6);
        var manifest = Imagenet with { Layout = TensorLayout.NHWC };
        var tensor = new float[3 * 224 * 224];

        ImagePreprocessor.Preprocess(jpeg, manifest, InferenceOptions.Default, tensor);

        Assert.Equal("red", ColorAt(tensor, 200, 20));
        Assert.Equal("lime", ColorAt(tensor, 200, 200)); // stored top-right goes bottom-right
        Assert.Equal("white", ColorAt(tensor, 20, 200));
        Assert.Equal("blue", ColorAt(tensor, 20, 20));
    }

    [Fact]
    public void LargeJpegDecodesAtReducedScaleTwiceTheResizeTarget()
    {
        using var bitmap = SyntheticImages.Gradient(2048, 1536);
        var jpeg = SyntheticImages.Encode(bitmap, SKEncodedImageFormat.Jpeg);
        var tensor = new float[3 * 224 * 224];

        var info = ImagePreprocessor.Preprocess(jpeg, Imagenet, InferenceOptions.Default, tensor);

        // 1536 * 2/8 = 384 < 2 * 256, so 3/8 (768x576) is the smallest scale that leaves the last halving to PIL's filter.
        Assert.Equal((768, 576), (info.DecodedWidth, info.DecodedHeight));
        var sameScale = ReferencePreprocessor.Compute(jpeg, Imagenet, new SKSizeI(768, 576));
        AssertSameDecode(tensor, sameScale, "2048x1536 gradient");

        // Against a full-size decode the DCT-domain downscale differs a little on a smooth image.
        var full = ReferencePreprocessor.Compute(jpeg, Imagenet);
        Assert.True(ReferencePreprocessor.MeanAbsDiff(tensor, full) < 0.02, $"mean diff {ReferencePreprocessor.MeanAbsDiff(tensor, full)}");
    }

    [Fact]
    public void ReducedScaleDecodeCoversAPartialLastBlock()
    {
        // 1000 x 3/8 = 375 but 750 x 3/8 = 281.25: the last decoded row is a quarter of a block. The
        // resize maps the image's own extent, not the 282 rows, or the crop would drift by a third of a pixel.
        using var bitmap = SyntheticImages.Gradient(1000, 750);
        var jpeg = SyntheticImages.Encode(bitmap, SKEncodedImageFormat.Jpeg);
        var manifest = Imagenet with { ResizeShorter = 128, Width = 112, Height = 112 };
        var tensor = new float[3 * 112 * 112];

        var info = ImagePreprocessor.Preprocess(jpeg, manifest, InferenceOptions.Default, tensor);

        Assert.Equal((375, 282), (info.DecodedWidth, info.DecodedHeight));
        AssertSameDecode(tensor, ReferencePreprocessor.Compute(jpeg, manifest, new SKSizeI(375, 282)), "1000x750 at 3/8");
    }

    [Fact]
    public void LargePngShrinksWithTheWidenedFilterNotPlainBilinear()
    {
        // PNG decodes at full size: 900 -> 256 rows, a shrink by 3.5. The triangle filter widens to 3.5
        // pixels each side; plain bilinear would read 2 of every 3.5 rows of this noise and alias.
        using var bitmap = SyntheticImages.Noisy(1200, 900, new SKColor(120, 140, 90), 60, seed: 7);
        var png = SyntheticImages.Encode(bitmap, SKEncodedImageFormat.Png);
        var tensor = new float[3 * 224 * 224];

        var info = ImagePreprocessor.Preprocess(png, Imagenet, InferenceOptions.Default, tensor);

        Assert.Equal((1200, 900), (info.DecodedWidth, info.DecodedHeight));
        AssertSameDecode(tensor, ReferencePreprocessor.Compute(png, Imagenet), "1200x900 noise");
        using var plainBilinear = bitmap.Resize(new SKImageInfo(341, 256, SKColorType.Rgba8888, SKAlphaType.Premul), new SKSamplingOptions(SKFilterMode.Linear));
        var aliased = ReferencePreprocessor.FromOriented(plainBilinear, Imagenet);
        Assert.True(ReferencePreprocessor.DifferingFraction(tensor, aliased, 1e-4f) > 0.5, "the antialiased resize differs from plain bilinear");
    }

    [Fact]
    public void EveryPhotographMatchesTheReference()
    {
        var scaled = 0;
        var tensor = new float[3 * 224 * 224];
        foreach (var file in Photos.All)
        {
            var bytes = File.ReadAllBytes(file);
            var info = ImagePreprocessor.Preprocess(bytes, Imagenet, InferenceOptions.Default, tensor);
            Assert.True(Math.Min(info.DecodedWidth, info.DecodedHeight) >= Math.Min(512, Math.Min(info.Width, info.Height)), file);

            var reference = ReferencePreprocessor.Compute(bytes, Imagenet, new SKSizeI(info.DecodedWidth, info.DecodedHeight));
            AssertSameDecode(tensor, reference, Path.GetFileName(file));

            if (info.DecodedWidth < info.Width)
            {
                // The DCT-domain downscale (e.g. 864 -> 540 rows) then 540 -> 256 is not the filter's
                // 864 -> 256 of a full decode, so pixels differ where the photo has texture; the colour
                // content does not: per-channel means agree closely.
                scaled++;
                var full = ReferencePreprocessor.Compute(bytes, Imagenet);
                for (var c = 0; c < 3; c++)
                {
                    var plane = 224 * 224;
                    var channelDiff = Math.Abs(tensor.AsSpan(c * plane, plane).ToArray().Average() - full.AsSpan(c * plane, plane).ToArray().Average());
                    Assert.True(channelDiff < 0.02, $"{Path.GetFileName(file)}: channel {c} mean differs by {channelDiff} from a full decode");
                }
            }
        }

        Assert.True(scaled > 0, "some photographs are large enough for a reduced-scale JPEG decode");
    }

    private static void AssertSameDecode(float[] tensor, float[] reference, string what)
    {
        var max = ReferencePreprocessor.MaxAbsDiff(tensor, reference);
        var differing = ReferencePreprocessor.DifferingFraction(tensor, reference, SameDecodeTolerance);
        Assert.True(max <= SameDecodeTolerance, $"{what}: max diff {max}, {differing:P3} of values differ");
    }

    private static string ColorAt(float[] nhwc, int x, int y)
    {
        var i = ((y * 224) + x) * 3;
        var rgb = Enumerable.Range(0, 3).Select(c => (nhwc[i + c] * Imagenet.Std[c]) + Imagenet.Mean[c]).ToArray();
        return rgb switch
        {
            [> 0.9f, < 0.1f, < 0.1f] => "red",
            [< 0.1f, > 0.9f, < 0.1f] => "lime",
            [< 0.1f, < 0.1f, > 0.9f] => "blue",
            [> 0.9f, > 0.9f, > 0.9f] => "white",
            _ => $"({rgb[0]:F2}, {rgb[1]:F2}, {rgb[2]:F2})",
        };
    }
}
