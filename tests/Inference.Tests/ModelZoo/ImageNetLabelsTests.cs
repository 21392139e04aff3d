using Serverless.ModelZoo;
using Serverless.TestSupport;

namespace Serverless.Inference.Tests.ModelZoo;

public sealed class ImageNetLabelsTests : IDisposable
{
    private readonly TempDir temp = new("modelzoo-labels");

    public void Dispose() => temp.Dispose();

    [Fact]
    public void ReadsTheDatasetClassList()
    {
        var labels = ImageNetLabels.Load(RepoPaths.ImagenetClassesTsv);

        Assert.Equal(1000, labels.Count);
        Assert.Equal("tench", labels[0]);
        Assert.DoesNotContain(labels, l => l.StartsWith("class_", StringComparison.Ordinal) || l.Contains('\t'));
    }

    [Fact]
    public void WithoutAPathGivesPlaceholders()
    {
        var labels = ImageNetLabels.Load(null);

        Assert.Equal(1000, labels.Count);
        Assert.Equal("class_999", labels[999]);
    }

    [Fact]
    public void RejectsAMalformedOrIncompleteList()
    {
        var malformed = temp.Combine("malformed.tsv");
        File.WriteAllLines(malformed, ["0\tn01440764\ttench", "one\tn01443537\tgoldfish"]);
        Assert.Throws<FormatException>(() => ImageNetLabels.Load(malformed));

        var incomplete = temp.Combine("incomplete.tsv");
        File.WriteAllLines(incomplete, ["0\tn01440764\ttench", "1\tn01443537\tgoldfish"]);
        var error = Assert.Throws<FormatException>(() => ImageNetLabels.Load(incomplete));
        Assert.Contains("found 2", error.Message);
    }

    [Fact]
    public void SidecarsCanBeLeftOut()
    {
        var output = ModelZooWriter.Write("dominant-color", temp.Combine("bare.onnx"), new ModelZooOptions { WriteSidecarFiles = false });

        Assert.Null(output.ManifestPath);
        Assert.Null(output.LabelsPath);
        Assert.True(File.Exists(temp.Combine("bare.onnx")));
        Assert.False(File.Exists(ModelZooWriter.ManifestPathFor(output.ModelPath)));
        Assert.False(File.Exists(ModelZooWriter.LabelsPathFor(output.ModelPath)));
    }
}
