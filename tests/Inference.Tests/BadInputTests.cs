using Serverless.Inference.Tests.Support;
using SkiaSharp;

namespace Serverless.Inference.Tests;

/// <summary>Each bad image gets its reason code and the rest of its batch is classified normally.</summary>
[Collection(ModelsCollection.Name)]
public sealed class BadInputTests(ModelFilesFixture models)
{
    [Fact]
    public async Task BadImagesFailAloneWithTheirReasonCodes()
    {
        using var cache = new ModelCache();
        var model = cache.GetOrLoad(models.DominantColor);
        using var gradient = SyntheticImages.Gradient(400, 300);
        var jpeg = SyntheticImages.Encode(gradient, SKEncodedImageFormat.Jpeg);

        var inputs = new List<ImageInput>
        {
            Inputs.SolidPng("good-red.png", SKColors.Red),
            Inputs.Of("empty.jpg", []),
            Inputs.Of("text.jpg", "this is not an image\n"u8.ToArray()),
            Inputs.Of("truncated.jpg", jpeg[..(jpeg.Length * 6 / 10)]),
            Inputs.Of("bomb.png", PngWriter.DeclaringHugeImage(50000, 50000)),
            Inputs.Of("garbled-header.png", [.. PngWriter.DeclaringHugeImage(64, 64)[..16], .. new byte[40]]),
            Inputs.Of("deep-16bit.png", PngWriter.Rgb16(64, 64, (_, _) => (0, 0, 65535))),
            Inputs.Of("cmyk.jpg", CmykJpegWriter.Solid(64, 48, c: 255, m: 0, y: 0, k: 255)),
            new ImageInput("unreadable.jpg", _ => throw new IOException("disk on fire")),
            ImageInput.FromFile("missing.jpg", Path.Combine(models.Folder, "no-such-file.jpg")),
            Inputs.SolidPng("strip.png", SKColors.Red, 1, 5000),
            Inputs.SolidPng("good-green.png", SKColors.Lime),
        };

        using var classifier = new BatchClassifier(model, batchSize: 4, topK: 3);
        var results = (await classifier.ClassifyAsync(inputs, CancellationToken.None)).ToDictionary(p => p.Key);

        Assert.Equal(inputs.Count, results.Count);
        Assert.Equal("red", Top(results["good-red.png"]));
        Assert.Equal("green", Top(results["good-green.png"]));
        AssertError(results["empty.jpg"], PredictionErrorCodes.EmptyFile);
        AssertError(results["text.jpg"], PredictionErrorCodes.UnsupportedFormat);
        AssertError(results["truncated.jpg"], PredictionErrorCodes.CorruptImage, "truncated");
        AssertError(results["bomb.png"], PredictionErrorCodes.TooLarge, "50000x50000");
        AssertError(results["garbled-header.png"], PredictionErrorCodes.CorruptImage);
        AssertError(results["unreadable.jpg"], PredictionErrorCodes.ReadFailed, "disk on fire");
        AssertError(results["missing.jpg"], PredictionErrorCodes.ReadFailed);
        AssertError(results["strip.png"], PredictionErrorCodes.TooLarge, "aspect ratio");

        // SkiaSharp decodes 16-bit PNG (to 8 bits) and Adobe CMYK JPEG (inverted CMYK -> RGB).
        Assert.Equal("blue", Top(results["deep-16bit.png"]));
        Assert.Equal("red", Top(results["cmyk.jpg"]));
    }

    [Fact]
    public void EncodedByteLimitIsChecked()
    {
        var manifest = ManifestPresets.Get("imagenet");
        var options = new InferenceOptions { MaxEncodedBytes = 100 };
        using var bitmap = SyntheticImages.Gradient(64, 64);
        var png = SyntheticImages.Encode(bitmap, SKEncodedImageFormat.Png);

        var e = Assert.Throws<ImageRejectedException>(() => ImagePreprocessor.Preprocess(png, manifest, options, new float[3 * 224 * 224]));
        Assert.Equal(PredictionErrorCodes.TooLarge, e.Code);
    }

    [Fact]
    public async Task FileOverTheByteLimitIsRefusedBeforeItIsRead()
    {
        var path = Path.Combine(models.Folder, "big.bin");
        await File.WriteAllBytesAsync(path, new byte[2048]);
        var input = ImageInput.FromFile("big.bin", path, maxBytes: 1024);

        var e = await Assert.ThrowsAsync<ImageRejectedException>(async () => await input.ReadAsync());
        Assert.Equal(PredictionErrorCodes.TooLarge, e.Code);
    }

    private static string? Top(Prediction p)
    {
        Assert.True(p.Error is null, $"{p.Key}: {p.Error}");
        return p.Top[0].Label;
    }

    private static void AssertError(Prediction p, string code, string? messagePart = null)
    {
        Assert.Empty(p.Top);
        Assert.NotNull(p.Error);
        Assert.True(code == p.Error.Code, $"{p.Key}: expected {code}, got {p.Error.Code} ({p.Error.Message})");
        if (messagePart is not null)
        {
            Assert.Contains(messagePart, p.Error.Message);
        }
    }
}
