using SkiaSharp;

namespace Serverless.ModelZoo;

/// <summary>
/// Writes images of a known dominant colour (a solid colour with seeded noise, in JPEG or PNG,
/// of varied sizes), so a demo or test has inputs whose right answer under the dominant-color
/// model is known. The file name carries the colour: <c>00042_red.jpg</c>.
/// </summary>
public static class SyntheticImages
{
    /// <summary>Colour names and RGB values, all prototypes of the dominant-color model.</summary>
    public static IReadOnlyList<(string Name, SKColor Color)> Colors { get; } =
    [
        ("red", new SKColor(220, 30, 30)), ("green", new SKColor(30, 200, 40)), ("blue", new SKColor(30, 40, 220)),
        ("yellow", new SKColor(230, 220, 30)), ("cyan", new SKColor(30, 220, 220)), ("magenta", new SKColor(220, 30, 220)),
        ("white", new SKColor(245, 245, 245)), ("black", new SKColor(10, 10, 10)),
    ];

    /// <summary>Writes <paramref name="count"/> images into <paramref name="folder"/> and returns their paths.</summary>
    public static IReadOnlyList<string> Write(string folder, int count, int seed = 1, int minSize = 64, int maxSize = 320)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(seed);
        var paths = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var (name, color) = Colors[i % Colors.Count];
            var png = i % 3 == 0;
            var path = Path.Combine(folder, $"{i:D5}_{name}.{(png ? "png" : "jpg")}");
            File.WriteAllBytes(path, Encode(color, random.Next(minSize, maxSize), random.Next(minSize, maxSize), random, png));
            paths.Add(path);
        }
        return paths;
    }

    /// <summary>One noisy image of <paramref name="color"/>: every pixel within ±20 of it.</summary>
    public static byte[] Encode(SKColor color, int width, int height, Random random, bool png)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = bitmap.GetPixelSpan();
        for (var p = 0; p < pixels.Length; p += 4)
        {
            pixels[p] = Jitter(color.Red, random);
            pixels[p + 1] = Jitter(color.Green, random);
            pixels[p + 2] = Jitter(color.Blue, random);
            pixels[p + 3] = 255;
        }
        using var data = bitmap.Encode(png ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    private static byte Jitter(byte value, Random random) => (byte)Math.Clamp(value + random.Next(-20, 21), 0, 255);
}
