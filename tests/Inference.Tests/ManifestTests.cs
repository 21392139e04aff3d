using Serverless.TestSupport;

namespace Serverless.Inference.Tests;

/// <summary>Presets, manifest parsing and its consistency checks.</summary>
public sealed class ManifestTests : IDisposable
{
    private readonly TempDir temp = new("manifest");

    public void Dispose() => temp.Dispose();

    [Fact]
    public void PresetsHoldTheFamiliesConventions()
    {
        var imagenet = ManifestPresets.Get("imagenet");
        Assert.Equal((256, true, 224, ColorOrder.RGB, 1f / 255f), (imagenet.ResizeShorter, imagenet.Crop, imagenet.Width, imagenet.ColorOrder, imagenet.Scale));
        Assert.Equal([0.485f, 0.456f, 0.406f], imagenet.Mean);
        Assert.Equal([0.229f, 0.224f, 0.225f], imagenet.Std);

        var caffe = ManifestPresets.Get("caffe");
        Assert.Equal((ColorOrder.BGR, 1f), (caffe.ColorOrder, caffe.Scale));
        Assert.Equal([103.939f, 116.779f, 123.68f], caffe.Mean);
        Assert.Equal([1f, 1f, 1f], caffe.Std);

        var tf = ManifestPresets.Get("tf");
        Assert.Equal((TensorLayout.NHWC, 1f / 255f), (tf.Layout, tf.Scale));
        Assert.Equal((-1f, 1f), ((0 * tf.Scale - tf.Mean[0]) / tf.Std[0], (255 * tf.Scale - tf.Mean[0]) / tf.Std[0]));

        var vit = ManifestPresets.Get("vit");
        Assert.Equal((null, false, 224, 224), (vit.ResizeShorter, vit.Crop, vit.Width, vit.Height));
        Assert.Equal([0.5f, 0.5f, 0.5f], vit.Mean);
    }

    [Fact]
    public void NoManifestMeansTheDefaultOrOverriddenPreset()
    {
        var model = temp.Combine("bare.onnx");
        Assert.Equal("imagenet", ManifestLoader.Load(model).Preset);
        Assert.Equal(ColorOrder.BGR, ManifestLoader.Load(model, "caffe").ColorOrder);
    }

    [Fact]
    public void FileFieldsApplyOverThePreset()
    {
        var model = Write("m", """
            { "preset": "vit", "layout": "NHWC", "colorOrder": "BGR", "width": 384, "height": 384,
              "outputIsProbabilities": true, "labels": "m.labels.txt", "inputName": "pixel_values" }
            """);
        var m = ManifestLoader.Load(model);
        Assert.Equal((TensorLayout.NHWC, ColorOrder.BGR, 384, 384, true), (m.Layout, m.ColorOrder, m.Width, m.Height, m.OutputIsProbabilities));
        Assert.Equal(("m.labels.txt", "pixel_values"), (m.Labels, m.InputName));
        Assert.Equal([0.5f, 0.5f, 0.5f], m.Std);

        // Overriding the preset keeps the file's explicit fields.
        Assert.Equal((ColorOrder.BGR, 1f), (ManifestLoader.Load(model, "caffe").ColorOrder, ManifestLoader.Load(model, "caffe").Scale));
    }

    [Fact]
    public void CropSizeScalesThePresetResizeLikeTorchvision()
    {
        var m = ManifestLoader.Load(Write("inception", """{ "crop": 299 }"""));
        Assert.Equal((299, 299, 342, true), (m.Width, m.Height, m.ResizeShorter, m.Crop));
    }

    [Theory]
    [InlineData("""{ "resizeShorter": 200 }""", "smaller than the 224x224 crop")]
    [InlineData("""{ "preset": "vit", "resizeShorter": 256 }""", "resizeShorter needs crop")]
    [InlineData("""{ "mean": [0.5, 0.5] }""", "3 values")]
    [InlineData("""{ "std": [0, 1, 1] }""", "non-zero")]
    [InlineData("""{ "width": 0 }""", "positive")]
    [InlineData("""{ "crop": "yes" }""", "'crop'")]
    [InlineData("""{ "layout": "CHWN" }""", "not valid")]
    public void InconsistentManifestsAreRefused(string json, string message)
    {
        var e = Assert.Throws<ModelLoadException>(() => ManifestLoader.Load(Write("bad", json)));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void LabelFileTakesOneLabelPerLineOrTheLastTsvField()
    {
        var plain = temp.Combine("plain.txt");
        File.WriteAllText(plain, "cat\ndog\n\n");
        Assert.Equal(["cat", "dog"], LabelFile.Read(plain));
        Assert.Equal(1000, LabelFile.Read(RepoPaths.ImagenetClassesTsv).Count);
        Assert.Equal("tench", LabelFile.Read(RepoPaths.ImagenetClassesTsv)[0]);

        // synset_words.txt: the WordNet id goes, the names stay.
        var synsets = temp.Combine("synsets.txt");
        File.WriteAllText(synsets, "n01440764 tench, Tinca tinca\nn01443537\tgoldfish\nnot a synset n1\n");
        Assert.Equal(["tench, Tinca tinca", "goldfish", "not a synset n1"], LabelFile.Read(synsets));
    }

    [Fact]
    public void ResizePlanFollowsTorchvision()
    {
        var m = ManifestPresets.Get("imagenet");
        Assert.Equal(new ResizePlan(341, 256, 58, 16), ResizePlan.For(500, 375, m)); // 58.5 rounds to even
        Assert.Equal(new ResizePlan(256, 384, 16, 80), ResizePlan.For(333, 500, m));
        Assert.Equal(new ResizePlan(224, 224, 0, 0), ResizePlan.For(500, 375, ManifestPresets.Get("vit")));
    }

    private string Write(string stem, string json)
    {
        File.WriteAllText(temp.Combine(stem + ".manifest.json"), json);
        return temp.Combine(stem + ".onnx");
    }
}
