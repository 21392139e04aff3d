using System.Globalization;
using Serverless.Inference.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.Inference.Tests.Fidelity;

/// <summary>Our resize and crop against torchvision's on PIL (goldens of tests/fidelity/make_goldens.py).</summary>
public sealed class ResamplingFidelityTests
{
    public static TheoryData<string, string> ExactCases => new()
    {
        { "photo-377x283", "bilinear" }, { "photo-377x283", "bicubic" },
        { "pattern-1000x700", "bilinear" }, { "pattern-1000x700", "bicubic" },
        { "tiny-61x45", "bilinear" }, { "tiny-61x45", "bicubic" },
    };

    [Theory]
    [MemberData(nameof(ExactCases))]
    public void FromTheSamePixelsTheResizeIsPilsToTheBit(string input, string interpolation)
    {
        // A PNG decodes to the same pixels in Skia and PIL, so every difference would be the resampling:
        // a shrink by 0.9, a shrink by 2.7 of hard edges and fine checks, a 5.7x enlargement.
        var ours = Goldens.OurPixels(File.ReadAllBytes(Goldens.Path("exact", input + ".png")), Parse(interpolation));
        var torchvision = Goldens.PngPixels(Goldens.Path("exact", $"{input}.{interpolation}.png"));

        Assert.Equal(0, Goldens.MaxAbsDiff(ours, torchvision));
    }

    [Theory]
    [InlineData("bilinear")]
    [InlineData("bicubic")]
    public void PhotosAreWithinOneLevelOfTorchvision(string interpolation)
    {
        // Photos under 512 pixels decode at full size, like PIL's, and match to the bit; larger ones
        // decode at a reduced DCT scale, which differs from PIL's full decode where a photo has texture.
        var names = Goldens.CropNames(interpolation);
        Assert.True(names.Count >= 16, $"{names.Count} crops");
        var tensor = new float[3 * 224 * 224];
        var scaled = new List<string>();
        var report = new List<(string Name, double Mad)>();
        foreach (var name in names)
        {
            var jpeg = File.ReadAllBytes(System.IO.Path.Combine(RepoPaths.ImagenetSample200, name + ".JPEG"));
            var info = ImagePreprocessor.Preprocess(jpeg, Goldens.RawPixels(), InferenceOptions.Default, tensor);
            var torchvision = Goldens.PngPixels(Goldens.Path("crops", interpolation, name + ".png"));
            var mad = Goldens.MeanAbsDiff(Goldens.OurPixels(jpeg, Parse(interpolation)), torchvision);
            report.Add((name, mad));
            if (info.DecodedWidth < info.Width)
            {
                scaled.Add(name);
            }
            else
            {
                Assert.True(mad == 0, $"{name}: decoded at full size like PIL, yet {mad:0.000} levels off");
            }
        }

        Assert.True(scaled.Count >= 8, $"only {scaled.Count} photos decoded at a reduced scale");
        Assert.True(report.Max(r => r.Mad) <= 1.0, "mean absolute difference per photo (0..255): " + string.Join(", ", report.Select(r => $"{r.Name} {r.Mad.ToString("0.000", CultureInfo.InvariantCulture)}")));
    }

    private static Interpolation Parse(string name) => Enum.Parse<Interpolation>(name, ignoreCase: true);
}
