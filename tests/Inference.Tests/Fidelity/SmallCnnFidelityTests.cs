using Serverless.Inference.Tests.Support;
using Serverless.TestSupport;
using Xunit.Abstractions;

namespace Serverless.Inference.Tests.Fidelity;

/// <summary>
/// tests/fidelity's small CNN (built as torch.onnx.export writes it, <see cref="SmallCnn"/>), classified by us on the 200 photos, against PyTorch's
/// own softmax from its evaluation pipeline on PIL (tests/fidelity/make_goldens.py).
/// </summary>
public sealed class SmallCnnFidelityTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TopOneAgreesWithPyTorchOnAtLeast98PercentOfThePhotos()
    {
        var photos = File.ReadAllLines(Goldens.Path("photos.txt")).Where(l => l.Length > 0).ToArray();
        var reference = ReadReference(Goldens.Path("small-cnn.reference.f32"), photos.Length);
        var expected = reference.Select(ArgMax).ToArray();

        // A reference whose top class hardly changes from photo to photo would agree with anything.
        Assert.True(expected.Distinct().Count() >= 20, $"the reference spreads over {expected.Distinct().Count()} classes only");

        using var cache = new ModelCache();
        var model = cache.GetOrLoad(SmallCnn.ModelPath);
        using var classifier = new BatchClassifier(model, batchSize: 32, topK: 1);
        var inputs = photos.Select(p => ImageInput.FromFile(p, Path.Combine(RepoPaths.ImagenetSample200, p))).ToArray();
        var predictions = await classifier.ClassifyAsync(inputs, CancellationToken.None);

        var disagreements = new List<string>();
        for (var i = 0; i < photos.Length; i++)
        {
            Assert.True(predictions[i].Succeeded, $"{photos[i]}: {predictions[i].Error}");
            var ours = predictions[i].Top[0];
            if (ours.Index != expected[i])
            {
                disagreements.Add($"{photos[i]}: ours {ours.Index} ({ours.Score:0.000}), PyTorch {expected[i]} ({reference[i][expected[i]]:0.000})");
            }
            else
            {
                Assert.True(Math.Abs(ours.Score - reference[i][expected[i]]) < 0.02, $"{photos[i]}: top-1 probability {ours.Score} against PyTorch's {reference[i][expected[i]]}");
            }
        }

        var agreement = 1.0 - ((double)disagreements.Count / photos.Length);
        output.WriteLine($"top-1 agreement {agreement:P1} over {photos.Length} photos, {expected.Distinct().Count()} reference classes; {string.Join("; ", disagreements)}");
        Assert.True(agreement >= 0.98, $"top-1 agreement {agreement:P1}: " + string.Join("; ", disagreements));
    }

    private static float[][] ReadReference(string path, int rows)
    {
        var bytes = File.ReadAllBytes(path);
        var all = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, all, 0, bytes.Length);
        Assert.Equal(0, all.Length % rows);
        var classes = all.Length / rows;
        return Enumerable.Range(0, rows).Select(r => all.AsSpan(r * classes, classes).ToArray()).ToArray();
    }

    private static int ArgMax(float[] values) => Array.IndexOf(values, values.Max());
}
