using System.Text.Json;
using Serverless.ModelZoo;
using Serverless.ModelZoo.Models;
using Serverless.TestSupport;

namespace Serverless.Inference.Tests.ModelZoo;

public sealed class DominantColorModelTests : IDisposable
{
    private const int Size = DominantColorModel.Size;
    private readonly TempDir temp = new("modelzoo-dominant");

    public void Dispose() => temp.Dispose();

    [Fact]
    public void EachPrototypeIsItsOwnExpectedClass()
    {
        for (var k = 0; k < DominantColorModel.Prototypes.Count; k++)
        {
            var p = DominantColorModel.Prototypes[k];
            Assert.Equal(k, DominantColorModel.ExpectedIndex(p.R, p.G, p.B));
        }

        Assert.Equal("red", DominantColorModel.ExpectedLabel(0.9f, 0.1f, 0.05f));
        Assert.Equal("grey", DominantColorModel.ExpectedLabel(0.45f, 0.5f, 0.55f));
    }

    [Fact]
    public void DeclaresInputAndOutputWithDynamicBatch()
    {
        var path = Write(DominantColorModel.Name);
        using var session = OrtRunner.Open(path);

        var input = Assert.Single(session.InputMetadata);
        Assert.Equal("input", input.Key);
        Assert.Equal([-1, 3, Size, Size], input.Value.Dimensions);
        Assert.Equal("N", input.Value.SymbolicDimensions[0]);

        Assert.Equal(["probabilities", "features"], session.OutputNames);
        Assert.Equal([-1, DominantColorModel.Prototypes.Count], session.OutputMetadata["probabilities"].Dimensions);
        Assert.Equal([-1, 3], session.OutputMetadata["features"].Dimensions);
    }

    [Fact]
    public void SolidColoursScoreTheNearestPrototype()
    {
        var colors = DominantColorModel.Prototypes.Select(p => (p.R, p.G, p.B)).ToList();
        var random = new Random(7);
        for (var i = 0; i < 30; i++)
        {
            colors.Add((random.NextSingle(), random.NextSingle(), random.NextSingle()));
        }

        using var session = OrtRunner.Open(Write(DominantColorModel.Name));
        var (values, shape) = OrtRunner.Run(
            session, "input", "probabilities", SolidColorTensors.Batch(colors, Size), colors.Count, 3, Size, Size);

        var classes = DominantColorModel.Prototypes.Count;
        Assert.Equal([colors.Count, classes], shape);
        var predicted = new HashSet<int>();
        for (var n = 0; n < colors.Count; n++)
        {
            var row = values.AsSpan(n * classes, classes);
            Assert.Equal(1.0, row.ToArray().Sum(v => (double)v), 4);
            var (r, g, b) = colors[n];
            var argMax = OrtRunner.ArgMax(row);
            Assert.True(
                DominantColorModel.ExpectedIndex(r, g, b) == argMax,
                $"colour ({r:F3}, {g:F3}, {b:F3}): model says {DominantColorModel.Labels[argMax]}, expected {DominantColorModel.ExpectedLabel(r, g, b)}");
            predicted.Add(argMax);
        }

        Assert.Equal(classes, predicted.Count);
    }

    [Fact]
    public void TwoColourImageIsClassifiedByItsMeanColour()
    {
        using var session = OrtRunner.Open(Write(DominantColorModel.Name));
        (float, float, float) blue = (0f, 0f, 1f);
        (float, float, float) green = (0f, 1f, 0f);
        var (values, _) = OrtRunner.Run(
            session, "input", "probabilities", SolidColorTensors.SplitImage(blue, green, Size), 1, 3, Size, Size);

        var expected = DominantColorModel.ExpectedIndex(0f, 0.5f, 0.5f);
        Assert.Equal(expected, OrtRunner.ArgMax(values));
        Assert.NotEqual(DominantColorModel.ExpectedIndex(0f, 0f, 1f), expected);
        Assert.NotEqual(DominantColorModel.ExpectedIndex(0f, 1f, 0f), expected);
    }

    [Fact]
    public void WritesLabelsAndManifestBesideTheModel()
    {
        var output = ModelZooWriter.Write(DominantColorModel.Name, temp.Combine("colors", "dominant-color.onnx"));

        Assert.Equal(temp.Combine("colors", "dominant-color.manifest.json"), output.ManifestPath);
        Assert.Equal(temp.Combine("colors", "dominant-color.labels.txt"), output.LabelsPath);
        Assert.Equal(DominantColorModel.Labels, File.ReadAllLines(output.LabelsPath!));

        using var manifest = JsonDocument.Parse(File.ReadAllText(output.ManifestPath!));
        var root = manifest.RootElement;
        Assert.Equal("imagenet", root.GetProperty("preset").GetString());
        Assert.Equal("input", root.GetProperty("inputName").GetString());
        Assert.Equal("NCHW", root.GetProperty("layout").GetString());
        Assert.Equal(Size, root.GetProperty("width").GetInt32());
        Assert.Equal(Size, root.GetProperty("height").GetInt32());
        Assert.Equal("dominant-color.labels.txt", root.GetProperty("labels").GetString());
        Assert.True(root.GetProperty("outputIsProbabilities").GetBoolean());
        Assert.Equal(DominantColorModel.Prototypes.Count * 4, output.Parameters);
    }

    [Fact]
    public void WrongSizeVariantContradictsItsManifest()
    {
        var path = Write("dominant-color-wrong-size");
        using var session = OrtRunner.Open(path);
        Assert.Equal([-1, 3, 100, 100], session.InputMetadata["input"].Dimensions);

        using var manifest = JsonDocument.Parse(File.ReadAllText(ModelZooWriter.ManifestPathFor(path)));
        Assert.Equal(Size, manifest.RootElement.GetProperty("width").GetInt32());
    }

    [Fact]
    public void ChannelsLastVariantContradictsItsManifestButStillClassifies()
    {
        var path = Write("dominant-color-nhwc");
        using var session = OrtRunner.Open(path);
        Assert.Equal([-1, Size, Size, 3], session.InputMetadata["input"].Dimensions);

        using (var manifest = JsonDocument.Parse(File.ReadAllText(ModelZooWriter.ManifestPathFor(path))))
        {
            Assert.Equal("NCHW", manifest.RootElement.GetProperty("layout").GetString());
        }

        (float, float, float)[] colors = [(1f, 1f, 0f), (0f, 0f, 1f)];
        var (values, _) = OrtRunner.Run(
            session, "input", "probabilities", SolidColorTensors.Batch(colors, Size, channelsLast: true), 2, Size, Size, 3);
        var classes = DominantColorModel.Prototypes.Count;
        Assert.Equal("yellow", DominantColorModel.Labels[OrtRunner.ArgMax(values.AsSpan(0, classes))]);
        Assert.Equal("blue", DominantColorModel.Labels[OrtRunner.ArgMax(values.AsSpan(classes, classes))]);
    }

    [Fact]
    public void UnknownNameIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelZooWriter.Write("alexnet", temp.Combine("alexnet.onnx")));
        Assert.Contains("resnet50", error.Message);
        Assert.False(File.Exists(temp.Combine("alexnet.onnx")));
    }

    private string Write(string name) => ModelZooWriter.Write(name, temp.Combine(name + ".onnx")).ModelPath;
}
