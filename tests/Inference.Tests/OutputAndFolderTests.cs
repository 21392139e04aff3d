using Serverless.Inference.Tests.Support;
using Serverless.TestSupport;
using SkiaSharp;

namespace Serverless.Inference.Tests;

/// <summary>The local-folder helper the classify command uses.</summary>
[Collection(ModelsCollection.Name)]
public sealed class OutputAndFolderTests(ModelFilesFixture models) : IDisposable
{
    private readonly TempDir temp = new("inference-folder");

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task FolderIsClassifiedRecursivelyWithRelativeKeys()
    {
        Directory.CreateDirectory(temp.Combine("sub", "deeper"));
        Save(temp.Combine("red.png"), SKColors.Red, SKEncodedImageFormat.Png);
        Save(temp.Combine("sub", "blue.JPG"), SKColors.Blue, SKEncodedImageFormat.Jpeg);
        Save(temp.Combine("sub", "deeper", "green.webp"), SKColors.Lime, SKEncodedImageFormat.Webp);
        File.WriteAllText(temp.Combine("sub", "notes.txt"), "not an image, not listed");
        File.WriteAllText(temp.Combine("sub", "fake.jpg"), "listed, fails");
        File.WriteAllBytes(temp.Combine("sub", "phone.HEIC"), [0, 0, 0, 24, .. "ftypheic"u8, .. new byte[64]]);

        using var cache = new ModelCache();
        using var classifier = new BatchClassifier(cache.GetOrLoad(models.DominantColor), batchSize: 2);
        var lines = new List<Prediction>();
        await foreach (var prediction in LocalFolderClassifier.ClassifyAsync(classifier, temp.Path, CancellationToken.None))
            lines.Add(prediction);

        Assert.Equal(5, lines.Count);
        Assert.Equal(["red.png", "sub/blue.JPG", "sub/deeper/green.webp", "sub/fake.jpg", "sub/phone.HEIC"], lines.Select(p => p.Key));
        Assert.Equal(["red", "blue", "green"], lines.Take(3).Select(p => p.Top[0].Label));
        Assert.Equal(PredictionErrorCodes.UnsupportedFormat, lines[3].Error?.Code);
        Assert.Equal(PredictionErrorCodes.UnsupportedFormat, lines[4].Error?.Code);
        Assert.Contains("HEIF", lines[4].Error!.Message);
    }

    [Fact]
    public void MissingFolderIsReported() =>
        Assert.Throws<DirectoryNotFoundException>(() => LocalFolderClassifier.EnumerateImageFiles(temp.Combine("absent")));

    private static void Save(string path, SKColor color, SKEncodedImageFormat format)
    {
        using var bitmap = SyntheticImages.Solid(120, 90, color);
        File.WriteAllBytes(path, SyntheticImages.Encode(bitmap, format));
    }
}
