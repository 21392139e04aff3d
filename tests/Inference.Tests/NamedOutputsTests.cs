using Serverless.Inference.Tests.Support;
using Serverless.ModelZoo;
using Serverless.ModelZoo.Models;
using SkiaSharp;

namespace Serverless.Inference.Tests;

/// <summary>
/// Named outputs (a job's <c>outputs</c>): the classifier returns each as a float vector per image,
/// beside the top-k, or instead of it when the output is the class output (a feature extractor);
/// a name the model does not have is refused naming it and listing the model's outputs.
/// </summary>
[Collection(ModelsCollection.Name)]
public sealed class NamedOutputsTests(ModelFilesFixture models)
{
    [Fact]
    public async Task Features_come_per_image_beside_the_top_k()
    {
        using var cache = new ModelCache();
        using var classifier = new BatchClassifier(cache.GetOrLoad(models.DominantColor), batchSize: 2, topK: 2, outputs: ["features"]);
        var predictions = await classifier.ClassifyAsync(
            [Inputs.SolidPng("red.png", SKColors.Red), Inputs.SolidPng("blue.png", SKColors.Blue), Inputs.Of("broken.jpg", [0xFF, 0xD8, 0xFF, 0x00])]);

        Assert.Equal(["red", "blue"], predictions.Take(2).Select(p => p.Top[0].Label));
        // The dominant-colour model's features are the mean normalized colour: red is (1, 0, 0) before normalization.
        Assert.Equal(ImageNetNormalization.Normalize(0, 1f), predictions[0].Outputs!["features"][0], 2);
        Assert.Equal(ImageNetNormalization.Normalize(2, 1f), predictions[1].Outputs!["features"][2], 2);
        Assert.All(predictions.Take(2), p => Assert.Equal(3, p.Outputs!["features"].Length));
        Assert.Null(predictions[2].Outputs);
        Assert.NotNull(predictions[2].Error);
    }

    [Fact]
    public async Task A_feature_extractor_gives_its_output_and_no_top_k()
    {
        using var cache = new ModelCache();
        var model = cache.GetOrLoad(models.Get(ModelZooWriter.TestVariantNames[2]));
        Assert.False(ModelOutputs.HasScores(model, ["features"]));
        using var classifier = new BatchClassifier(model, batchSize: 4, outputs: ["features"]);

        var prediction = Assert.Single(await classifier.ClassifyAsync([Inputs.SolidPng("green.png", SKColors.Lime)]));

        Assert.True(prediction.Succeeded);
        Assert.Empty(prediction.Top);
        Assert.Equal(ImageNetNormalization.Normalize(1, 1f), prediction.Outputs!["features"][1], 2);
    }

    [Fact]
    public void An_unknown_output_is_refused_naming_it_and_the_models_outputs()
    {
        using var cache = new ModelCache();
        var model = cache.GetOrLoad(models.DominantColor);

        var e = Assert.Throws<ArgumentException>(() => new BatchClassifier(model, 2, outputs: ["embedding"]));

        Assert.Contains("'embedding'", e.Message);
        Assert.Contains("probabilities [?, 10] float (class)", e.Message);
        Assert.Contains("features [?, 3] float (features)", e.Message);
        var outputs = ModelOutputs.Of(model);
        Assert.Equal(["probabilities", "features"], outputs.Select(o => o.Name));
        Assert.Equal([ModelOutput.ClassRole, ModelOutput.FeaturesRole], outputs.Select(o => o.Role));
        Assert.Equal(3, outputs[1].Length);
    }
}
