using Serverless.ModelZoo.Onnx;

namespace Serverless.Inference.Tests.Support;

/// <summary>
/// Small graphs in the shapes users' exports come in, over a 32 x 32 image: a mean-colour classifier
/// (classes red, green, blue: each score is a channel's mean, so a red image is class 0) with a fixed
/// or symbolic batch, channels first or last, optional metadata; and graphs whose batch handling is
/// broken in the ways exporters break it.
/// </summary>
internal static class TinyGraphs
{
    public const int Size = 32;

    public static readonly string[] Labels = ["red", "green", "blue"];

    /// <summary>Writes the mean-colour classifier; <paramref name="batch"/> is a fixed size or a symbol.</summary>
    public static string MeanColor(string path, TensorDim batch, bool channelsLast = false, IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        var g = new OnnxGraphBuilder("mean_color");
        var x = channelsLast
            ? g.AddNode("Transpose", [g.AddInput("image", batch, Size, Size, 3)], "nchw", OnnxAttribute.Ints("perm", 0, 3, 1, 2))
            : g.AddInput("image", batch, 3, Size, Size);
        var pooled = g.AddNode("GlobalAveragePool", [x], "pooled");
        g.AddNode("Flatten", [pooled], "scores", OnnxAttribute.Int("axis", 1));
        g.AddOutput("scores", batch, 3);
        return Save(g, path, metadata);
    }

    /// <summary>Batch fixed at 1, with a Reshape to the constant <paramref name="shape"/> before the scores (torch's x.view(1, -1) and kin).</summary>
    public static string ReshapeHead(string path, params long[] shape)
    {
        var g = new OnnxGraphBuilder("reshape_head");
        var pooled = g.AddNode("GlobalAveragePool", [g.AddInput("image", 1, 3, Size, Size)], "pooled");
        g.AddInt64Initializer("shape", shape, shape.Length);
        g.AddNode("Reshape", [pooled, "shape"], "scores");
        g.AddOutput("scores", 1, 3);
        return Save(g, path);
    }

    /// <summary>Batch fixed at 1; the scores subtract the batch mean, so a batch of 2 runs but mixes the images.</summary>
    public static string MixesTheBatch(string path) => BatchMean(path, 1, subtract: true);

    /// <summary>Batch symbolic, but the scores are the batch mean: [1, 3] whatever the batch (a shape error at run time).</summary>
    public static string AveragesTheBatch(string path) => BatchMean(path, "N", subtract: false);

    private static string BatchMean(string path, TensorDim batch, bool subtract)
    {
        var g = new OnnxGraphBuilder("batch_mean");
        var flat = g.AddNode("Flatten", [g.AddNode("GlobalAveragePool", [g.AddInput("image", batch, 3, Size, Size)], "pooled")], "flat", OnnxAttribute.Int("axis", 1));
        var mean = g.AddNode("ReduceMean", [flat], "mean", OnnxAttribute.Ints("axes", 0), OnnxAttribute.Int("keepdims", 1));
        if (subtract)
        {
            g.AddNode("Add", [flat, g.AddNode("Sub", [flat, mean], "centered")], "scores");
        }
        else
        {
            g.AddNode("Identity", [mean], "scores");
        }

        g.AddOutput("scores", batch, 3);
        return Save(g, path);
    }

    private static string Save(OnnxGraphBuilder g, string path, IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        OnnxModelFile.Save(g.ToModel("test graph", metadata), path);
        return path;
    }
}
