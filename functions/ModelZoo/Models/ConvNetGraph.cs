using Serverless.ModelZoo.Onnx;

namespace Serverless.ModelZoo.Models;

/// <summary>
/// Layer-level helpers over <see cref="OnnxGraphBuilder"/> for convolutional classifiers:
/// convolutions with batch norm folded into their bias (what exported inference graphs hold),
/// activations, pooling and the classifier head. Tracks shapes and multiply-accumulates.
/// </summary>
internal sealed class ConvNetGraph(string graphName, ulong seed)
{
    private readonly SeededWeights weights = new(seed);
    private string? relu6Bounds;

    /// <summary>The graph output of the pooled features before the classifier.</summary>
    public const string FeaturesOutput = "features";

    public OnnxGraphBuilder Builder { get; } = new(graphName);

    /// <summary>Multiply-accumulates of one image through conv and fully connected layers.</summary>
    public long MultiplyAccumulates { get; private set; }

    /// <summary>Declares the NCHW float input with a dynamic batch dimension "N".</summary>
    public FeatureMap Input(string name, int channels, int height, int width)
    {
        Builder.AddInput(name, "N", channels, height, width);
        return new FeatureMap(name, channels, height, width);
    }

    /// <summary>
    /// Conv (padding kernel/2, as torchvision) + folded batch norm. <paramref name="gain"/>
    /// scales the He-uniform weights: below 1 for residual branches and linear outputs, so
    /// activations stay of order one through the depth of the network.
    /// </summary>
    public FeatureMap Conv(FeatureMap x, string prefix, int outChannels, int kernel, int stride = 1, int groups = 1, float gain = 1f)
    {
        if (x.Channels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentException($"{prefix}: channels {x.Channels}->{outChannels} not divisible by {groups} groups.");
        }

        var padding = kernel / 2;
        var inPerGroup = x.Channels / groups;
        var fanIn = inPerGroup * kernel * kernel;
        var weight = Builder.AddInitializer(
            prefix + ".weight",
            weights.HeUniform(outChannels * fanIn, fanIn, gain),
            outChannels, inPerGroup, kernel, kernel);
        var bias = Builder.AddInitializer(prefix + ".bias", weights.Uniform(outChannels, 0.05f), outChannels);

        var output = Builder.AddNode(
            "Conv",
            [x.Name, weight, bias],
            prefix + ".out",
            OnnxAttribute.Ints("kernel_shape", kernel, kernel),
            OnnxAttribute.Ints("strides", stride, stride),
            OnnxAttribute.Ints("pads", padding, padding, padding, padding),
            OnnxAttribute.Ints("dilations", 1, 1),
            OnnxAttribute.Int("group", groups));

        var height = OutputSize(x.Height, kernel, stride, padding);
        var width = OutputSize(x.Width, kernel, stride, padding);
        MultiplyAccumulates += (long)outChannels * height * width * fanIn;
        return new FeatureMap(output, outChannels, height, width);
    }

    public FeatureMap Relu(FeatureMap x) =>
        x with { Name = Builder.AddNode("Relu", [x.Name], Builder.UniqueName(x.Name + ".relu")) };

    /// <summary>ReLU6 as exported by PyTorch: Clip with min 0 and max 6 as scalar inputs (opset 11+).</summary>
    public FeatureMap Relu6(FeatureMap x)
    {
        if (relu6Bounds is null)
        {
            Builder.AddInitializer("relu6.min", [0f]);
            relu6Bounds = Builder.AddInitializer("relu6.max", [6f]);
        }

        return x with { Name = Builder.AddNode("Clip", [x.Name, "relu6.min", relu6Bounds], Builder.UniqueName(x.Name + ".relu6")) };
    }

    public FeatureMap Add(FeatureMap a, FeatureMap b, string name)
    {
        if (a with { Name = "" } != b with { Name = "" })
        {
            throw new ArgumentException($"{name}: cannot add {a} and {b}.");
        }

        return a with { Name = Builder.AddNode("Add", [a.Name, b.Name], name) };
    }

    public FeatureMap MaxPool(FeatureMap x, string name, int kernel, int stride, int padding)
    {
        var output = Builder.AddNode(
            "MaxPool",
            [x.Name],
            name,
            OnnxAttribute.Ints("kernel_shape", kernel, kernel),
            OnnxAttribute.Ints("strides", stride, stride),
            OnnxAttribute.Ints("pads", padding, padding, padding, padding));
        return new FeatureMap(output, x.Channels, OutputSize(x.Height, kernel, stride, padding), OutputSize(x.Width, kernel, stride, padding));
    }

    /// <summary>
    /// Global average pool, flatten and a fully connected layer (Gemm, B transposed as in nn.Linear).
    /// The pooled features [N, channels] are a second graph output, <see cref="FeaturesOutput"/>,
    /// after the scores: what similarity search and clustering read (a job's <c>outputs</c>).
    /// </summary>
    public string ClassifierHead(FeatureMap x, string prefix, int classes, string outputName)
    {
        var pooled = Builder.AddNode("GlobalAveragePool", [x.Name], "pool.out");
        var flat = Builder.AddNode("Flatten", [pooled], FeaturesOutput, OnnxAttribute.Int("axis", 1));
        var bound = 1f / MathF.Sqrt(x.Channels); // nn.Linear's default init
        var weightData = weights.Uniform(classes * x.Channels, bound);
        CenterRows(weightData, x.Channels);
        var weight = Builder.AddInitializer(prefix + ".weight", weightData, classes, x.Channels);
        var bias = Builder.AddInitializer(prefix + ".bias", weights.Uniform(classes, bound), classes);
        Builder.AddNode("Gemm", [flat, weight, bias], outputName, OnnxAttribute.Int("transB", 1));
        Builder.AddOutput(outputName, "N", classes);
        Builder.AddOutput(flat, "N", x.Channels);
        MultiplyAccumulates += (long)classes * x.Channels;
        return outputName;
    }

    // Pooled post-ReLU features share a large positive mean; with random weights that common
    // part alone would pick the top class for every image. Zero-mean rows cancel it, so the
    // logits follow the image.
    private static void CenterRows(float[] matrix, int columns)
    {
        for (var row = 0; row < matrix.Length; row += columns)
        {
            var span = matrix.AsSpan(row, columns);
            var mean = 0f;
            foreach (var value in span)
            {
                mean += value;
            }

            mean /= columns;
            for (var i = 0; i < span.Length; i++)
            {
                span[i] -= mean;
            }
        }
    }

    private static int OutputSize(int size, int kernel, int stride, int padding) =>
        ((size + (2 * padding) - kernel) / stride) + 1;
}
