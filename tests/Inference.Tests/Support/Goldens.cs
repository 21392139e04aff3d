using Serverless.TestSupport;
using SkiaSharp;

namespace Serverless.Inference.Tests.Support;

/// <summary>
/// The golden files of tests/fidelity, made once with PyTorch by tests/fidelity/make_goldens.py, and
/// the helpers to compare our pixels with them.
/// </summary>
internal static class Goldens
{
    public static string Folder => System.IO.Path.Combine(RepoPaths.Root, "tests", "fidelity");

    public static string Path(params string[] parts) => System.IO.Path.Combine([Folder, .. parts]);

    /// <summary>The photos (dataset file names) whose torchvision crop was saved for <paramref name="interpolation"/>.</summary>
    public static IReadOnlyList<string> CropNames(string interpolation) =>
        Directory.GetFiles(Path("crops", interpolation), "*.png").Select(System.IO.Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToArray()!;

    /// <summary>
    /// The preset's geometry with the normalization taken out and channels last: the tensor holds
    /// the 0..255 pixels themselves, R, G, B per pixel, as torchvision's PIL image before ToTensor.
    /// </summary>
    public static ModelManifest RawPixels(Interpolation interpolation = Interpolation.Bilinear) => ManifestPresets.Get("imagenet") with
    {
        Layout = TensorLayout.NHWC,
        Mean = [0f, 0f, 0f],
        Std = [1f, 1f, 1f],
        Scale = 1f,
        Interpolation = interpolation,
    };

    /// <summary>Our preprocessing of <paramref name="encoded"/> as 0..255 RGB bytes, row-major.</summary>
    public static byte[] OurPixels(byte[] encoded, Interpolation interpolation)
    {
        var manifest = RawPixels(interpolation);
        var tensor = new float[3 * manifest.Width * manifest.Height];
        ImagePreprocessor.Preprocess(encoded, manifest, InferenceOptions.Default, tensor);
        return tensor.Select(v => (byte)v).ToArray();
    }

    /// <summary>A PNG as RGB bytes, row-major (the goldens are opaque RGB).</summary>
    public static byte[] PngPixels(string path)
    {
        using var codec = SKCodec.Create(path) ?? throw new InvalidDataException(path);
        using var bitmap = SKBitmap.Decode(codec, codec.Info.WithColorType(SKColorType.Rgba8888).WithAlphaType(SKAlphaType.Unpremul)) ?? throw new InvalidDataException(path);
        var rgba = bitmap.GetPixelSpan();
        var rgb = new byte[bitmap.Width * bitmap.Height * 3];
        for (var i = 0; i < bitmap.Width * bitmap.Height; i++)
        {
            rgba.Slice(i * 4, 3).CopyTo(rgb.AsSpan(i * 3));
        }

        return rgb;
    }

    public static double MeanAbsDiff(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        Assert.Equal(a.Length, b.Length);
        long sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += Math.Abs(a[i] - b[i]);
        }

        return (double)sum / a.Length;
    }

    public static int MaxAbsDiff(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var max = 0;
        for (var i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }
}
