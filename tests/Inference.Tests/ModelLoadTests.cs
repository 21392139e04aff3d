using Serverless.Inference.Tests.Support;
using Serverless.ModelZoo;
using SkiaSharp;

namespace Serverless.Inference.Tests;

/// <summary>Load-time checks and the process-wide cache.</summary>
[Collection(ModelsCollection.Name)]
public sealed class ModelLoadTests(ModelFilesFixture models)
{
    [Fact]
    public void MissingModelFileIsAClearLoadError()
    {
        using var cache = new ModelCache();
        var path = Path.Combine(models.Folder, "nowhere", "absent.onnx");

        var e = Assert.Throws<ModelLoadException>(() => cache.GetOrLoad(path));
        Assert.Contains("does not exist", e.Message);
        Assert.Equal(path, e.ModelPath);
    }

    [Fact]
    public void InputSizeThatContradictsTheManifestIsALoadError()
    {
        using var cache = new ModelCache();
        var e = Assert.Throws<ModelLoadException>(() => cache.GetOrLoad(models.Get(ModelZooWriter.TestVariantNames[0])));
        Assert.Contains("[?, 3, 100, 100]", e.Message);
        Assert.Contains("width 100, but dominant-color-wrong-size.manifest.json says 224", e.Message);
    }

    [Fact]
    public void LayoutThatContradictsTheManifestIsALoadError()
    {
        using var cache = new ModelCache();
        var e = Assert.Throws<ModelLoadException>(() => cache.GetOrLoad(models.Get(ModelZooWriter.TestVariantNames[1])));
        Assert.Contains("which is NHWC", e.Message);
        Assert.Contains("dominant-color-nhwc.manifest.json says NCHW", e.Message);
    }

    [Fact]
    public void LabelsFileWithTheWrongCountIsALoadError()
    {
        var path = models.CopyOf("dominant-color", "wrong-labels");
        var labels = ModelZooWriter.LabelsPathFor(path);
        File.WriteAllLines(labels, File.ReadAllLines(labels).Take(9));
        using var cache = new ModelCache();

        var e = Assert.Throws<ModelLoadException>(() => cache.GetOrLoad(path));
        Assert.Contains("9 labels", e.Message);
        Assert.Contains("10 classes", e.Message);
    }

    [Fact]
    public void MissingLabelsFileAndBadManifestAreLoadErrors()
    {
        var path = models.CopyOf("dominant-color", "no-labels");
        File.Delete(ModelZooWriter.LabelsPathFor(path));
        using var cache = new ModelCache();
        Assert.Contains("labels file", Assert.Throws<ModelLoadException>(() => cache.GetOrLoad(path)).Message);

        var broken = models.CopyOf("dominant-color", "bad-manifest");
        File.WriteAllText(ModelZooWriter.ManifestPathFor(broken), "{ \"width\": ");
        Assert.Contains("not valid", Assert.Throws<ModelLoadException>(() => cache.GetOrLoad(broken)).Message);

        Assert.Contains("Unknown preset", Assert.Throws<ModelLoadException>(() => cache.GetOrLoad(models.DominantColor, null, "resnet-ish")).Message);
    }

    [Theory]
    [InlineData("/proc/self/mem")]
    [InlineData("../../../../etc/passwd")]
    [InlineData("../no-such-file.txt")]
    public void A_labels_file_outside_the_models_folder_is_refused_without_saying_whether_it_exists(string named)
    {
        var path = models.CopyOf("dominant-color", "labels-outside-" + Math.Abs(named.GetHashCode()));
        var manifestPath = ModelZooWriter.ManifestPathFor(path);
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifestPath))!;
        manifest["labels"] = named;
        File.WriteAllText(manifestPath, manifest.ToJsonString());
        using var cache = new ModelCache();

        var e = Assert.Throws<ModelLoadException>(() => cache.GetOrLoad(path));
        Assert.Contains($"the labels file '{named}' named by", e.Message);
        Assert.EndsWith("is not inside the model's folder.", e.Message);
    }

    [Fact]
    public void A_labels_file_too_large_to_be_labels_is_a_load_error_not_a_read_of_it()
    {
        var path = models.CopyOf("dominant-color", "huge-labels");
        using (var labels = File.OpenWrite(ModelZooWriter.LabelsPathFor(path)))
            labels.SetLength(LabelFile.MaxBytes + 1);
        using var cache = new ModelCache();

        var e = Assert.Throws<ModelLoadException>(() => cache.GetOrLoad(path));
        Assert.Contains("its manifest or labels cannot be read", e.Message);
        Assert.Contains("larger than 16 MiB", e.Message);
    }

    [Fact]
    public void ReadsNamesAndClassesFromTheGraph()
    {
        using var cache = new ModelCache();
        var model = cache.GetOrLoad(models.DominantColor);

        Assert.Equal(new ModelSignature("input", "probabilities", null, 10), model.Signature);
        Assert.Equal(10, model.Labels!.Count);
        Assert.Equal(32, model.ResolveBatchSize(32));
        Assert.Equal([32L, 3, 224, 224], model.InputShape(32));
    }

    [Fact]
    public async Task ConcurrentBatchesLoadTheModelExactlyOnce()
    {
        using var cache = new ModelCache();
        var loaded = 0;
        cache.ModelLoaded += _ => Interlocked.Increment(ref loaded);
        var start = new ManualResetEventSlim();

        var tasks = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            start.Wait();
            var model = cache.GetOrLoad(models.DominantColor);
            using var classifier = new BatchClassifier(model, batchSize: 2);
            var results = await classifier.ClassifyAsync([Inputs.SolidPng($"red-{i}", SKColors.Red), Inputs.SolidPng($"blue-{i}", SKColors.Blue)], CancellationToken.None);
            return (model, results);
        })).ToArray();
        start.Set();
        var done = await Task.WhenAll(tasks);

        Assert.Equal(1, cache.LoadCount);
        Assert.Equal(1, loaded);
        Assert.All(done, d => Assert.Same(done[0].model, d.model));
        Assert.All(done, d => Assert.Equal(["red", "blue"], d.results.Select(p => p.Top[0].Label)));

        // Other options are another session; the same options again are not.
        cache.GetOrLoad(models.DominantColor, new InferenceOptions { IntraOpNumThreads = 1 });
        cache.GetOrLoad(models.DominantColor, new InferenceOptions { IntraOpNumThreads = 1 });
        Assert.Equal(2, cache.LoadCount);
    }

    [Fact]
    public void FailedLoadIsNotCached()
    {
        using var cache = new ModelCache();
        var folder = Path.Combine(models.Folder, "appears-later");
        var path = Path.Combine(folder, "dominant-color.onnx");
        Assert.Throws<ModelLoadException>(() => cache.GetOrLoad(path));

        models.CopyOf("dominant-color", "appears-later");
        Assert.NotNull(cache.GetOrLoad(path));
        Assert.Equal(1, cache.LoadCount);
    }
}
