using Serverless.Inference.Tests.Support;
using Serverless.TestSupport;
using SkiaSharp;

namespace Serverless.Inference.Tests;

/// <summary>JSON Lines shape and the local-folder helper the classify command uses.</summary>
[Collection(ModelsCollection.Name)]
public sealed class OutputAndFolderTests(ModelFilesFixture models) : IDisposable
{
    private readonly TempDir temp = new("inference-folder");

    public void Dispose() => temp.Dispose();

    [Fact]
    public void JsonLinesHaveTheDocumentedShape()
    {
        var ok = new Prediction("a/b.jpg", [new TopClass(3, "red", 0.75f)], null);
        var failed = Prediction.Failed("c.jpg", PredictionErrorCodes.CorruptImage, "truncated");

        Assert.Equal("""{"key":"a/b.jpg","top":[{"index":3,"label":"red","score":0.75}],"error":null}""", PredictionJsonLines.Serialize(ok));
        Assert.Equal("""{"key":"c.jpg","top":[],"error":{"code":"corrupt_image","message":"truncated"}}""", PredictionJsonLines.Serialize(failed));

        var back = PredictionJsonLines.ReadAll(new StringReader(System.Text.Encoding.UTF8.GetString(PredictionJsonLines.ToUtf8([ok, failed])))).ToList();
        Assert.Equal(ok.Top, back[0].Top);
        Assert.Equal(failed.Error, back[1].Error);
    }

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
        var writer = new StringWriter();
        var count = await PredictionJsonLines.WriteAsync(writer, LocalFolderClassifier.ClassifyAsync(classifier, temp.Path), CancellationToken.None);

        var lines = PredictionJsonLines.ReadAll(new StringReader(writer.ToString())).ToList();
        Assert.Equal(5, count);
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
