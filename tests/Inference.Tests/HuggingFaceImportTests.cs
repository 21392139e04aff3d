using Serverless.Inference.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.Inference.Tests;

/// <summary>A Hugging Face export folder (model.onnx, preprocessor_config.json, config.json) needs no manifest.</summary>
public sealed class HuggingFaceImportTests : IDisposable
{
    private readonly TempDir temp = new("huggingface");

    public void Dispose() => temp.Dispose();

    [Fact]
    public void ConvNextCropPctResizesTheShorterSideToEdgeOverCropPct()
    {
        // microsoft/resnet-50's config: legacy size 224 with crop_pct 0.875, bicubic.
        var m = Load("""
            { "crop_pct": 0.875, "do_normalize": true, "do_resize": true, "feature_extractor_type": "ConvNextFeatureExtractor",
              "image_mean": [0.485, 0.456, 0.406], "image_std": [0.229, 0.224, 0.225], "resample": 3, "size": 224 }
            """);

        Assert.Equal((256, true, 224, 224, Interpolation.Bicubic), (m.ResizeShorter, m.Crop, m.Width, m.Height, m.Interpolation));
        Assert.Equal([0.229f, 0.224f, 0.225f], m.Std);
    }

    [Fact]
    public void ViTSizeIsAStraightResize()
    {
        var m = Load("""
            { "do_normalize": true, "do_rescale": true, "do_resize": true, "image_processor_type": "ViTImageProcessor",
              "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "resample": 2, "rescale_factor": 0.00392156862745098,
              "size": { "height": 384, "width": 384 } }
            """);

        Assert.Equal((null, false, 384, 384, Interpolation.Bilinear), (m.ResizeShorter, m.Crop, m.Width, m.Height, m.Interpolation));
        Assert.Equal(1 / 255f, m.Scale, 1e-7f);
        Assert.Equal([0.5f, 0.5f, 0.5f], m.Mean);
    }

    [Fact]
    public void ClipShortestEdgeThenCenterCrop()
    {
        var m = Load("""
            { "crop_size": { "height": 224, "width": 224 }, "do_center_crop": true, "do_normalize": true, "do_resize": true,
              "image_mean": [0.4815, 0.4578, 0.4082], "image_std": [0.2686, 0.2613, 0.2758], "resample": 3,
              "size": { "shortest_edge": 224 }, "image_processor_type": "CLIPImageProcessor" }
            """);

        Assert.Equal((224, true, 224, 224, Interpolation.Bicubic), (m.ResizeShorter, m.Crop, m.Width, m.Height, m.Interpolation));
        Assert.Equal(0.4815f, m.Mean[0]);
    }

    [Fact]
    public void NoRescaleNoNormalizeAndFlippedChannels()
    {
        var m = Load("""{ "do_rescale": false, "do_normalize": false, "do_flip_channel_order": true, "size": 256 }""");

        Assert.Equal((1f, ColorOrder.BGR, 256, false), (m.Scale, m.ColorOrder, m.Width, m.Crop));
        Assert.Equal([0f, 0f, 0f], m.Mean);
        Assert.Equal([1f, 1f, 1f], m.Std);
    }

    [Theory]
    [InlineData("""{ "resample": 1 }""", "resample 1 (lanczos)")]
    [InlineData("""{ "size": { "shortest_edge": 256 }, "do_center_crop": false }""", "varying size")]
    [InlineData("""{ "rescale_offset": true }""", "rescale_offset")]
    [InlineData("""{ "size": """, "not valid JSON")]
    public void SettingsWeCannotReproduceAreLoadErrors(string config, string message)
    {
        var e = Assert.Throws<ModelLoadException>(() => Load(config));

        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void ExportFolderLoadsWithItsLabelsAndSaysWhereEachSettingCameFrom()
    {
        var folder = temp.Combine("export");
        var path = TinyGraphs.MeanColor(Path.Combine(folder, "model.onnx"), "N");
        File.WriteAllText(Path.Combine(folder, "preprocessor_config.json"), """
            { "image_processor_type": "ViTImageProcessor", "resample": 3, "size": { "height": 32, "width": 32 },
              "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5] }
            """);
        File.WriteAllText(Path.Combine(folder, "config.json"), """{ "id2label": { "0": "red", "2": "blue", "1": "green" } }""");
        using var cache = new ModelCache();

        var model = cache.GetOrLoad(path);

        Assert.Equal(TinyGraphs.Labels, model.Labels);
        Assert.Equal("config.json id2label (Hugging Face)", model.LabelsSource);
        Assert.Equal("preprocessor_config.json (ViTImageProcessor)", model.Sources["interpolation"]);
        Assert.Equal((Interpolation.Bicubic, false), (model.Manifest.Interpolation, model.Manifest.Crop));
    }

    private ModelManifest Load(string config)
    {
        var folder = temp.Combine(Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "preprocessor_config.json"), config);
        return ManifestLoader.Load(Path.Combine(folder, "model.onnx"));
    }
}
