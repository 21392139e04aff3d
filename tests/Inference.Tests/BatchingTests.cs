using Serverless.Inference.Tests.Support;
using SkiaSharp;

namespace Serverless.Inference.Tests;

/// <summary>Batch size does not change results; tensors are reused; order and cancellation hold.</summary>
[Collection(ModelsCollection.Name)]
public sealed class BatchingTests(ModelFilesFixture models)
{
    [Fact]
    public async Task BatchSizesOneSevenAndThirtyTwoGiveTheSameTopKWithMobileNetV2()
    {
        using var cache = new ModelCache();
        var model = cache.GetOrLoad(models.MobileNetV2);
        var inputs = Inputs.PhotoFiles(Photos.Every(5));

        var runs = new Dictionary<int, IReadOnlyList<Prediction>>();
        foreach (var batchSize in new[] { 1, 7, 32 })
        {
            using var classifier = new BatchClassifier(model, batchSize, topK: 5);
            runs[batchSize] = await classifier.ClassifyAsync(inputs, CancellationToken.None);
        }

        for (var i = 0; i < inputs.Count; i++)
        {
            var reference = runs[1][i];
            Assert.Equal(inputs[i].Key, reference.Key);
            Assert.Null(reference.Error);
            Assert.Equal(5, reference.Top.Count);
            foreach (var batchSize in new[] { 7, 32 })
            {
                var other = runs[batchSize][i];
                Assert.Equal(reference.Key, other.Key);
                for (var k = 0; k < 5; k++)
                {
                    // Same class at every rank, unless two classes tie to within float noise.
                    var (a, b) = (reference.Top[k], other.Top[k]);
                    Assert.True(a.Index == b.Index || Math.Abs(a.Score - b.Score) < 1e-6, $"{reference.Key} rank {k}: {a} vs {b} (batch {batchSize})");
                    Assert.Equal(a.Score, b.Score, 1e-5);
                }
            }
        }
    }

    [Fact]
    public async Task BatchSizesGiveTheSameDominantColourOnPhotos()
    {
        using var cache = new ModelCache();
        var model = cache.GetOrLoad(models.DominantColor);
        var inputs = Inputs.PhotoFiles(Photos.Every(3));

        using var one = new BatchClassifier(model, 1, topK: 3);
        using var seven = new BatchClassifier(model, 7, topK: 3);
        using var many = new BatchClassifier(model, 32, topK: 3);
        var a = await one.ClassifyAsync(inputs, CancellationToken.None);
        var b = await seven.ClassifyAsync(inputs, CancellationToken.None);
        var c = await many.ClassifyAsync(inputs, CancellationToken.None);

        for (var i = 0; i < inputs.Count; i++)
        {
            Assert.Equal(a[i].Top.Select(t => t.Index), b[i].Top.Select(t => t.Index));
            Assert.Equal(a[i].Top.Select(t => t.Index), c[i].Top.Select(t => t.Index));
        }

        // 67 images in batches of 7: a handful of tensors, reused (one running, one or two filling).
        Assert.InRange(seven.TensorsCreated, 1, 3);
    }

    [Fact]
    public async Task StreamYieldsEveryImageInInputOrder()
    {
        using var cache = new ModelCache();
        using var classifier = new BatchClassifier(cache.GetOrLoad(models.DominantColor), batchSize: 3);
        SKColor[] colors = [SKColors.Red, SKColors.Blue, SKColors.Lime, SKColors.White, SKColors.Black, SKColors.Yellow, SKColors.Cyan];

        var keys = new List<string>();
        await foreach (var p in classifier.ClassifyStreamAsync(Stream(colors), CancellationToken.None))
        {
            keys.Add(p.Key);
        }

        Assert.Equal(Enumerable.Range(0, colors.Length).Select(i => $"img-{i}"), keys);

        static async IAsyncEnumerable<ImageInput> Stream(SKColor[] colors)
        {
            for (var i = 0; i < colors.Length; i++)
            {
                await Task.Yield();
                yield return Inputs.SolidPng($"img-{i}", colors[i], 64, 64);
            }
        }
    }

    [Fact]
    public async Task CancellationStopsTheRun()
    {
        using var cache = new ModelCache();
        using var classifier = new BatchClassifier(cache.GetOrLoad(models.DominantColor), batchSize: 4);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => classifier.ClassifyAsync(Inputs.PhotoFiles(Photos.Every(20)), cts.Token));
    }

    [Fact]
    public void TopKAppliesSoftmaxToLogitsAndOrdersBestFirst()
    {
        float[] logits = [1f, 3f, 2f, 3f, -1f];
        var top = TopK.Select(logits, 3, softmax: true, i => $"c{i}");

        Assert.Equal([1, 3, 2], top.Select(t => t.Index));
        var sum = logits.Sum(l => Math.Exp(l));
        Assert.Equal(Math.Exp(3) / sum, top[0].Score, 1e-6);
        Assert.Equal("c2", top[2].Label);

        var probabilities = TopK.Select([0.1f, 0.7f, 0.2f], 5, softmax: false, _ => null);
        Assert.Equal([0.7f, 0.2f, 0.1f], probabilities.Select(t => t.Score));
    }
}
