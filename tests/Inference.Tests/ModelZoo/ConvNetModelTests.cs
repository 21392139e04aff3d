using Serverless.ModelZoo;
using Serverless.ModelZoo.Onnx;
using Serverless.TestSupport;
using Xunit.Abstractions;

namespace Serverless.Inference.Tests.ModelZoo;

public sealed class ConvNetModelTests(ConvNetModelsFixture models, ITestOutputHelper log) : IClassFixture<ConvNetModelsFixture>
{
    [Theory]
    [InlineData("mobilenetv2")]
    [InlineData("resnet50")]
    public void DeclaresImageNetInputAndLogitsWithDynamicBatch(string name)
    {
        using var session = OrtRunner.Open(models.Output(name).ModelPath);

        var input = Assert.Single(session.InputMetadata);
        Assert.Equal("input", input.Key);
        Assert.Equal([-1, 3, 224, 224], input.Value.Dimensions);
        Assert.Equal("N", input.Value.SymbolicDimensions[0]);

        // The scores first (the class output), then the pooled features a job's outputs can store.
        Assert.Equal(["logits", "features"], session.OutputNames);
        Assert.Equal([-1, 1000], session.OutputMetadata["logits"].Dimensions);
        Assert.Equal([-1, name == "resnet50" ? 2048 : 1280], session.OutputMetadata["features"].Dimensions);
    }

    [Theory]
    [InlineData("mobilenetv2", 1280)]
    [InlineData("resnet50", 2048)]
    public void FeaturesAreThePooledActivationsPerImage(string name, int channels)
    {
        using var session = OrtRunner.Open(models.Output(name).ModelPath);
        var data = SolidColorTensors.Batch([(0.9f, 0.2f, 0.1f), (0.1f, 0.3f, 0.8f)], 224);

        var (features, shape) = OrtRunner.Run(session, "input", "features", data, 2, 3, 224, 224);

        Assert.Equal([2L, channels], shape);
        // Pooled after a ReLU (ReLU6): finite, never negative, and not the same for two colours.
        Assert.All(features, v => Assert.True(float.IsFinite(v) && v >= 0));
        Assert.True(Enumerable.Range(0, channels).Max(i => Math.Abs(features[i] - features[channels + i])) > 1e-4);
    }

    [Theory]
    [InlineData("mobilenetv2")]
    [InlineData("resnet50")]
    public void BatchOfTwoGivesFiniteLogitsThatDependOnTheImage(string name)
    {
        using var session = OrtRunner.Open(models.Output(name).ModelPath);
        var random = new Random(11);
        const int Plane = 224 * 224;
        var data = new float[2 * 3 * Plane];
        for (var i = 0; i < 3 * Plane; i++)
        {
            data[i] = (random.NextSingle() * 4f) - 2f; // image 0: noise over the normalized pixel range
        }

        SolidColorTensors.Batch([(0.9f, 0.2f, 0.1f)], 224).CopyTo(data, 3 * Plane); // image 1: a red-orange

        var (logits, shape) = OrtRunner.Run(session, "input", "logits", data, 2, 3, 224, 224);

        Assert.Equal([2L, 1000L], shape);
        Assert.All(logits, v => Assert.True(float.IsFinite(v)));
        for (var n = 0; n < 2; n++)
        {
            var row = logits.AsSpan(n * 1000, 1000).ToArray();
            var rms = Math.Sqrt(row.Average(v => (double)v * v));
            var max = row.Max();
            var softmaxDenominator = row.Sum(v => Math.Exp(v - max));
            log.WriteLine($"{name} image {n}: logits rms {rms:F3}, range [{row.Min():F3}, {max:F3}], top class {OrtRunner.ArgMax(row)}");

            // Weights are scaled so activations stay of order one through the depth.
            Assert.InRange(rms, 0.05, 50);
            Assert.True(double.IsFinite(softmaxDenominator) && softmaxDenominator >= 1.0);
        }

        var largestDifference = Enumerable.Range(0, 1000).Max(i => Math.Abs(logits[i] - logits[1000 + i]));
        Assert.True(largestDifference > 0.05, $"logits barely depend on the image (max difference {largestDifference})");
    }

    [Theory]
    // torchvision's counts minus one per batch-norm channel (gamma and beta fold into one bias);
    // MobileNetV2 also holds the two scalar Clip bounds of ReLU6.
    [InlineData("resnet50", 25_557_032 - 26_560)]
    [InlineData("mobilenetv2", 3_504_872 - 17_056 + 2)]
    public void ParameterCountMatchesTorchvision(string name, long expected)
    {
        var output = models.Output(name);
        Assert.Equal(expected, OnnxModelFile.CountParameters(OnnxModelFile.Load(output.ModelPath)));
        Assert.Equal(expected, output.Parameters);
        Assert.InRange(output.Bytes, expected * 4, (expected * 4) + (1 << 20));
    }

    [Theory]
    // torchvision reports 4.09 GFLOPS (multiply-accumulates) for resnet50 and 0.30 for mobilenet_v2.
    [InlineData("resnet50", 4.0e9, 4.2e9)]
    [InlineData("mobilenetv2", 0.29e9, 0.32e9)]
    public void MultiplyAccumulatesMatchTorchvision(string name, double low, double high)
    {
        var macs = models.Output(name).MultiplyAccumulates;
        log.WriteLine($"{name}: {macs / 1e9:F3} GMACs");
        Assert.InRange(macs, low, high);
    }

    [Fact]
    public void ResNet50IsWrittenWithoutHanging()
    {
        // A bound on a hang, not a speed claim (a loaded 2-core CI machine is slow; speed is bench/'s).
        var elapsed = models.WriteTime("resnet50");
        log.WriteLine($"resnet50 written in {elapsed.TotalSeconds:F2} s, {models.Output("resnet50").Bytes / 1e6:F1} MB");
        Assert.True(elapsed < TimeSpan.FromMinutes(3), $"resnet50 took {elapsed.TotalSeconds:F1} s to write");
    }

    [Fact]
    public void SameSeedWritesSameBytesAndAnotherSeedDoesNot()
    {
        var again = models.Temp.Combine("again", "mobilenetv2.onnx");
        var other = models.Temp.Combine("other", "mobilenetv2.onnx");
        ModelZooWriter.Write("mobilenetv2", again);
        ModelZooWriter.Write("mobilenetv2", other, new ModelZooOptions { Seed = 42 });

        var first = File.ReadAllBytes(models.Output("mobilenetv2").ModelPath);
        Assert.Equal(first, File.ReadAllBytes(again));
        Assert.NotEqual(first, File.ReadAllBytes(other));
    }

    [Fact]
    public void LabelsComeFromTheClassesTsvOrArePlaceholders()
    {
        Assert.Equal("class_0", File.ReadLines(models.Output("resnet50").LabelsPath!).First());

        var path = models.Temp.Combine("named", "mobilenetv2.onnx");
        var output = ModelZooWriter.Write("mobilenetv2", path, new ModelZooOptions { ClassesTsvPath = RepoPaths.ImagenetClassesTsv });
        var labels = File.ReadAllLines(output.LabelsPath!);
        Assert.Equal(1000, labels.Length);
        Assert.Equal("tench", labels[0]);
        Assert.Equal("goldfish", labels[1]);
        Assert.All(labels, l => Assert.False(string.IsNullOrWhiteSpace(l)));
    }
}
