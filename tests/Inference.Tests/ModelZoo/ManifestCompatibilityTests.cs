using Serverless.ModelZoo;
using Serverless.ModelZoo.Models;
using Serverless.TestSupport;

namespace Serverless.Inference.Tests.ModelZoo;

/// <summary>The manifests the zoo writes resolve, through the inference library's loader, to what the graphs expect.</summary>
public sealed class ManifestCompatibilityTests : IDisposable
{
    private readonly TempDir temp = new("modelzoo-manifest");

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData("dominant-color", "probabilities", true)]
    [InlineData("mobilenetv2", "logits", false)]
    public void WrittenManifestResolvesToTheGraphsContract(string name, string outputName, bool probabilities)
    {
        var output = ModelZooWriter.Write(name, temp.Combine(name + ".onnx"));

        var manifest = ManifestLoader.Load(output.ModelPath);

        Assert.Equal("imagenet", manifest.Preset);
        Assert.Equal("input", manifest.InputName);
        Assert.Equal(outputName, manifest.OutputName);
        Assert.Equal(TensorLayout.NCHW, manifest.Layout);
        Assert.Equal((224, 224), (manifest.Width, manifest.Height));
        Assert.Equal(ImageNetNormalization.Mean, manifest.Mean);
        Assert.Equal(ImageNetNormalization.Std, manifest.Std);
        Assert.Equal(probabilities, manifest.OutputIsProbabilities);
        Assert.Equal(Path.GetFileName(output.LabelsPath), manifest.Labels);
    }

    [Fact]
    public void TheModelFileAloneCarriesItsManifest()
    {
        // Copied without its manifest (the labels file still beside it), the model resolves the same
        // from its own metadata_props.
        var output = ModelZooWriter.Write("dominant-color", temp.Combine("carried.onnx"));
        File.Delete(output.ManifestPath!);
        using var cache = new ModelCache();

        var model = cache.GetOrLoad(output.ModelPath);

        Assert.Equal(("input", "probabilities", true), (model.Manifest.InputName, model.Manifest.OutputName, model.Manifest.OutputIsProbabilities));
        Assert.Equal(("metadata_props", "metadata_props"), (model.Sources["outputName"], model.Sources["outputIsProbabilities"]));
        Assert.Equal("carried.labels.txt (beside the model)", model.LabelsSource);
    }
}
