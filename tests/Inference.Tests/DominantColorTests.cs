using Serverless.Inference.Tests.Support;
using Serverless.ModelZoo.Models;
using SkiaSharp;

namespace Serverless.Inference.Tests;

/// <summary>
/// The closed-form dominant-colour model through the whole pipeline: its label must be the nearest
/// prototype to the mean colour of the reference tensor, computed without the pipeline.
/// </summary>
[Collection(ModelsCollection.Name)]
public sealed class DominantColorTests(ModelFilesFixture models)
{
    private static readonly ModelManifest Imagenet = ManifestPresets.Get("imagenet");

    [Fact]
    public async Task SolidAndNoisyImagesGetTheNearestPrototype()
    {
        var inputs = new List<(ImageInput Input, byte[] Bytes)>();
        var random = new Random(11);
        foreach (var p in DominantColorModel.Prototypes)
        {
            var color = new SKColor((byte)(p.R * 255), (byte)(p.G * 255), (byte)(p.B * 255));
            using var solid = SyntheticImages.Solid(320, 240, color);
            using var noisy = SyntheticImages.Noisy(240, 320, color, amplitude: 60, seed: random.Next());
            Add($"solid-{p.Label}.png", SyntheticImages.Encode(solid, SKEncodedImageFormat.Png));
            Add($"noisy-{p.Label}.jpg", SyntheticImages.Encode(noisy, SKEncodedImageFormat.Jpeg, 90));
        }

        var predictions = await ClassifyAsync(inputs.Select(i => i.Input).ToList());

        for (var i = 0; i < inputs.Count; i++)
        {
            var label = inputs[i].Input.Key.Split('-', '.')[1];
            Assert.Equal(label, predictions[i].Top[0].Label);
            Assert.Equal(ExpectedFromReference(inputs[i].Bytes), predictions[i].Top[0].Index);
        }

        void Add(string key, byte[] bytes) => inputs.Add((new ImageInput(key, bytes), bytes));
    }

    [Fact]
    public async Task EveryPhotographGetsTheLabelOfItsMeanColour()
    {
        var files = Photos.All;
        var predictions = await ClassifyAsync(Inputs.PhotoFiles(files));

        var expected = new int[files.Count];
        Parallel.For(0, files.Count, i => expected[i] = ExpectedFromReference(File.ReadAllBytes(files[i])));
        for (var i = 0; i < files.Count; i++)
        {
            Assert.Null(predictions[i].Error);
            Assert.True(expected[i] == predictions[i].Top[0].Index, $"{predictions[i].Key}: expected {DominantColorModel.Labels[expected[i]]}, got {predictions[i].Top[0].Label}");
        }

        // The photos are not all one colour: the test would catch a constant answer.
        Assert.True(expected.Distinct().Count() >= 3);
    }

    private async Task<IReadOnlyList<Prediction>> ClassifyAsync(IReadOnlyList<ImageInput> inputs)
    {
        using var cache = new ModelCache();
        using var classifier = new BatchClassifier(cache.GetOrLoad(models.DominantColor), batchSize: 16, topK: 3);
        return await classifier.ClassifyAsync(inputs, CancellationToken.None);
    }

    /// <summary>Mean of the reference tensor per channel, de-normalized to 0..1, then the closed form.</summary>
    private static int ExpectedFromReference(byte[] bytes)
    {
        // Same decode size as the library (see PreprocessingTests for that check); decode at n/8
        // scale needs the library's choice, so take the full image when it is small enough.
        var tensor = new float[3 * 224 * 224];
        var info = ImagePreprocessor.Preprocess(bytes, Imagenet, InferenceOptions.Default, tensor);
        var reference = ReferencePreprocessor.Compute(bytes, Imagenet, new SKSizeI(info.DecodedWidth, info.DecodedHeight));
        var plane = 224 * 224;
        var rgb = new float[3];
        for (var c = 0; c < 3; c++)
        {
            double sum = 0;
            for (var i = 0; i < plane; i++)
            {
                sum += reference[(c * plane) + i];
            }

            rgb[c] = (float)((sum / plane * Imagenet.Std[c]) + Imagenet.Mean[c]);
        }

        return DominantColorModel.ExpectedIndex(rgb[0], rgb[1], rgb[2]);
    }
}
