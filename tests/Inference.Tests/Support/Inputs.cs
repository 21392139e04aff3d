using SkiaSharp;

namespace Serverless.Inference.Tests.Support;

/// <summary>Builds <see cref="ImageInput"/>s for the tests.</summary>
internal static class Inputs
{
    public static ImageInput Of(string key, byte[] bytes) => new(key, bytes);

    public static ImageInput SolidPng(string key, SKColor color, int width = 300, int height = 200)
    {
        using var bitmap = SyntheticImages.Solid(width, height, color);
        return new ImageInput(key, SyntheticImages.Encode(bitmap, SKEncodedImageFormat.Png));
    }

    public static IReadOnlyList<ImageInput> PhotoFiles(IEnumerable<string> files) =>
        files.Select(f => ImageInput.FromFile(Path.GetFileName(f), f)).ToArray();
}
