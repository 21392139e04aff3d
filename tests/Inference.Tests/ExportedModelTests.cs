using Serverless.Inference.Tests.Support;
using Serverless.TestSupport;
using SkiaSharp;

namespace Serverless.Inference.Tests;

/// <summary>Models as users export them: no manifest, a fixed batch, channels last, settings inside the model.</summary>
public sealed class ExportedModelTests : IDisposable
{
    private readonly TempDir temp = new("exported-models");
    private readonly List<string> log = [];
    private readonly ModelCache cache;

    public ExportedModelTests()
    {
        cache = new ModelCache { Log = log.Add };
    }

    public void Dispose()
    {
        cache.Dispose();
        temp.Dispose();
    }

    [Fact]
    public async Task TorchExportWithItsDefaultBatchOfOneRunsBatchesAndFindsItsLabels()
    {
        // tests/fidelity's small CNN, built as torch.onnx.export's defaults write it ([1, 3, 224, 224], input "input.1"),
        // synset labels beside it, no manifest.
        var model = cache.GetOrLoad(SmallCnn.ModelPath);

        Assert.Null(model.Signature.FixedBatchSize);
        Assert.Contains("made symbolic", model.BatchingReason);
        Assert.Equal(("input.1", 1000), (model.Signature.InputName, model.Signature.ClassCount));
        Assert.Equal(("tench", "toilet tissue"), (model.Labels![0], model.Labels[999]));
        Assert.Equal("small-cnn.labels.txt (beside the model)", model.LabelsSource);
        Assert.Equal(("graph", "graph", "graph"), (model.Sources["layout"], model.Sources["width"], model.Sources["height"]));
        Assert.Empty(log);

        using var classifier = new BatchClassifier(model, batchSize: 8);
        Assert.Equal(8, classifier.BatchSize);
        var predictions = await classifier.ClassifyAsync(Inputs.PhotoFiles(Photos.Every(40)), CancellationToken.None);
        Assert.All(predictions, p => Assert.True(p.Succeeded, p.Error?.Message));
    }

    [Fact]
    public void DescriptionSaysWhatWillBeUsedAndWhy()
    {
        var path = TinyGraphs.MeanColor(temp.Combine("described", "m.onnx"), 1, metadata: [new("interpolation", "bicubic")]);

        var rows = ModelDescription.Of(cache.GetOrLoad(path)).Settings.ToDictionary(r => r.Name);

        Assert.Equal(("image [?, 3, 32, 32]", "the model's only input"), (rows["input"].Value, rows["input"].Source));
        Assert.Equal("dynamic", rows["batch"].Value);
        Assert.Contains("made symbolic at load", rows["batch"].Source);
        Assert.Equal(("32x32 (width x height)", "graph"), (rows["size"].Value, rows["size"].Source));
        Assert.Equal(("shorter side to 37", "preset imagenet, scaled to the 32 crop"), (rows["resize"].Value, rows["resize"].Source));
        Assert.Equal(("bicubic (PIL's, antialiased)", "metadata_props"), (rows["interpolation"].Value, rows["interpolation"].Source));
        Assert.Equal(("none", "none (predictions carry class indices only)"), (rows["labels"].Value, rows["labels"].Source));
    }

    [Fact]
    public void ConstantReshapeOfTheBatchIsRewrittenToo()
    {
        var model = cache.GetOrLoad(TinyGraphs.ReshapeHead(temp.Combine("reshape", "m.onnx"), 1, 3));

        Assert.Null(model.Signature.FixedBatchSize);
        Assert.Contains("made symbolic", model.BatchingReason);
    }

    [Fact]
    public void BatchOfOneThatCannotBeMadeSymbolicRunsOneAtATimeAndSaysWhy()
    {
        // [1, -1] would become [-1, -1], which ONNX Runtime refuses.
        var model = cache.GetOrLoad(TinyGraphs.ReshapeHead(temp.Combine("reshape-any", "m.onnx"), 1, -1));

        Assert.Equal(1, model.Signature.FixedBatchSize);
        Assert.Contains("refuses the rewritten graph", model.BatchingReason);
        Assert.Equal(1, new BatchClassifier(model, 32).BatchSize);
        var line = Assert.Single(log);
        Assert.Contains("images run one at a time", line);
        Assert.Contains("m.onnx", line);
    }

    [Fact]
    public void GraphThatRunsBatchesButMixesTheImagesKeepsItsBatchOfOne()
    {
        var model = cache.GetOrLoad(TinyGraphs.MixesTheBatch(temp.Combine("mixes", "m.onnx")));

        Assert.Equal(1, model.Signature.FixedBatchSize);
        Assert.Contains("mixes the images", Assert.Single(log));
    }

    [Fact]
    public async Task FixedBatchAboveOneIsPadded()
    {
        var path = TinyGraphs.MeanColor(temp.Combine("fixed4", "m.onnx"), 4);
        File.WriteAllLines(Path.ChangeExtension(path, ".labels.txt"), TinyGraphs.Labels);
        var model = cache.GetOrLoad(path);
        using var classifier = new BatchClassifier(model, 32);

        var predictions = await classifier.ClassifyAsync(Colors(6), CancellationToken.None);

        Assert.Equal(4, classifier.BatchSize);
        Assert.Contains("padded", model.BatchingReason);
        Assert.Equal(["red", "green", "blue", "red", "green", "blue"], predictions.Select(p => p.Top[0].Label));
    }

    [Fact]
    public async Task ChannelsLastGraphNeedsNoManifest()
    {
        var path = TinyGraphs.MeanColor(temp.Combine("nhwc", "m.onnx"), "N", channelsLast: true);
        File.WriteAllLines(Path.ChangeExtension(path, ".labels.txt"), ["n00000001 red", "n00000002 green", "n00000003 blue"]);
        var model = cache.GetOrLoad(path);
        using var classifier = new BatchClassifier(model, 4);

        var predictions = await classifier.ClassifyAsync(Colors(3), CancellationToken.None);

        Assert.Equal((TensorLayout.NHWC, "graph", 32), (model.Manifest.Layout, model.Sources["layout"], model.Manifest.Width));
        Assert.Equal(["red", "green", "blue"], predictions.Select(p => p.Top[0].Label));
    }

    [Fact]
    public void ManifestFieldsInMetadataPropsApplyUnderTheManifestFile()
    {
        var path = TinyGraphs.MeanColor(temp.Combine("metadata", "m.onnx"), "N", metadata:
        [
            new("preset", "caffe"), new("interpolation", "bicubic"), new("std", "[2, 2, 2]"), new("author", "someone"),
        ]);
        File.WriteAllText(ManifestLoader.ManifestPathFor(path), """{ "std": [4, 4, 4] }""");

        var model = cache.GetOrLoad(path);

        Assert.Equal(("caffe", "metadata_props"), (model.Manifest.Preset, model.Sources["preset"]));
        Assert.Equal((Interpolation.Bicubic, "metadata_props"), (model.Manifest.Interpolation, model.Sources["interpolation"]));
        Assert.Equal([4f, 4f, 4f], model.Manifest.Std);
        Assert.Equal("m.manifest.json", model.Sources["std"]);
        Assert.Equal(ColorOrder.BGR, model.Manifest.ColorOrder);
    }

    [Theory]
    [InlineData("""{ "width": 224 }""", "width 32, but m.manifest.json says 224")]
    [InlineData("""{ "crop": 64 }""", "width 32, but m.manifest.json says 64")]
    [InlineData("""{ "layout": "NHWC" }""", "which is NCHW, but m.manifest.json says NHWC")]
    [InlineData("""{ "inputName": "pixels" }""", "m.manifest.json names input 'pixels'")]
    [InlineData("""{ "interpolation": "lanczos" }""", "m.manifest.json is not valid")]
    public void SettingsTheGraphDisprovesAreLoadErrors(string manifest, string message)
    {
        var path = TinyGraphs.MeanColor(temp.Combine("wrong-" + Guid.NewGuid().ToString("N")[..6], "m.onnx"), "N");
        File.WriteAllText(ManifestLoader.ManifestPathFor(path), manifest);

        Assert.Contains(message, Assert.Throws<ModelLoadException>(() => cache.GetOrLoad(path)).Message);
    }

    [Fact]
    public void WrongSizeInMetadataPropsIsALoadErrorNamingIt()
    {
        var path = TinyGraphs.MeanColor(temp.Combine("wrong-metadata", "m.onnx"), "N", metadata: [new("height", "224")]);

        Assert.Contains("height 32, but metadata_props says 224", Assert.Throws<ModelLoadException>(() => cache.GetOrLoad(path)).Message);
    }

    [Fact]
    public async Task OutputOfTheWrongShapeFailsTheBatchWithAReason()
    {
        // Symbolic batch in, [1, 3] out whatever the batch: no image may get another image's scores.
        var model = cache.GetOrLoad(TinyGraphs.AveragesTheBatch(temp.Combine("averages", "m.onnx")));
        using var classifier = new BatchClassifier(model, 2);

        var predictions = await classifier.ClassifyAsync(Colors(3), CancellationToken.None);

        Assert.All(predictions.Take(2), p =>
        {
            Assert.Equal(PredictionErrorCodes.InferenceFailed, p.Error?.Code);
            Assert.Contains("has shape [1, 3] for a batch of 2", p.Error!.Message);
        });
        Assert.True(predictions[2].Succeeded, "the short last batch of 1 has the right shape");
    }

    [Fact]
    public async Task BatchThatOnnxRuntimeRefusesFailsItsImagesWithAReason()
    {
        // A Reshape to [1, 3] under a symbolic batch: batches of 1 run, a batch of 2 cannot.
        var path = TinyGraphs.ReshapeHead(temp.Combine("refused", "m.onnx"), 1, 3);
        var symbolic = Serverless.ModelZoo.Onnx.OnnxModelFile.Load(path);
        foreach (var value in symbolic.Graph.Input.Concat(symbolic.Graph.Output))
        {
            value.Type.TensorType.Shape.Dim[0].DimParam = "N";
        }

        Serverless.ModelZoo.Onnx.OnnxModelFile.Save(symbolic, path);
        var model = cache.GetOrLoad(path);
        using var classifier = new BatchClassifier(model, 2);

        var predictions = await classifier.ClassifyAsync(Colors(3), CancellationToken.None);

        Assert.All(predictions.Take(2), p =>
        {
            Assert.Equal(PredictionErrorCodes.InferenceFailed, p.Error?.Code);
            Assert.Contains("ONNX Runtime failed on this batch of 2", p.Error!.Message);
        });
        Assert.True(predictions[2].Succeeded);
    }

    private static IReadOnlyList<ImageInput> Colors(int count)
    {
        SKColor[] colors = [SKColors.Red, SKColors.Lime, SKColors.Blue];
        return Enumerable.Range(0, count).Select(i => Inputs.SolidPng($"img-{i}", colors[i % 3], 64, 48)).ToArray();
    }
}
