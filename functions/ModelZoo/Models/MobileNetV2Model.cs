namespace Serverless.ModelZoo.Models;

/// <summary>
/// torchvision's mobilenet_v2 (width 1.0) with batch norm folded into conv biases and ReLU6 as
/// Clip(0, 6): input "input" [N,3,224,224], output "logits" [N,1000]; about 3.5M parameters
/// and 300M multiply-accumulates per image, like the trained model. Weights are seeded random.
/// </summary>
public static class MobileNetV2Model
{
    /// <summary>Zoo name.</summary>
    public const string Name = "mobilenetv2";

    // Linear outputs (no activation after them) get He gain sqrt(1/2): their input is post-ReLU
    // but their output is not halved by a ReLU. Residual branches are scaled down again so the
    // sum of branches stays of order one.
    private static readonly float LinearGain = MathF.Sqrt(0.5f);
    private const float ResidualGain = 0.5f;

    /// <summary>Inverted residual settings (expansion t, output channels c, repeats n, first stride s).</summary>
    private static readonly (int T, int C, int N, int S)[] Settings =
    [
        (1, 16, 1, 1),
        (6, 24, 2, 2),
        (6, 32, 3, 2),
        (6, 64, 4, 2),
        (6, 96, 3, 1),
        (6, 160, 3, 2),
        (6, 320, 1, 1),
    ];

    /// <summary>Builds the graph with labels for its 1000 outputs.</summary>
    public static ZooModel Build(ulong seed, IReadOnlyList<string> labels)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(labels.Count, ImageNetLabels.Count);
        var net = new ConvNetGraph("mobilenet_v2", seed);
        var x = net.Input("input", 3, 224, 224);
        x = net.Relu6(net.Conv(x, "features.0", 32, 3, stride: 2));

        var index = 1;
        foreach (var (t, c, n, s) in Settings)
        {
            for (var i = 0; i < n; i++)
            {
                x = InvertedResidual(net, x, $"features.{index++}", c, i == 0 ? s : 1, t);
            }
        }

        x = net.Relu6(net.Conv(x, $"features.{index}", 1280, 1));
        var output = net.ClassifierHead(x, "classifier.1", ImageNetLabels.Count, "logits");

        var model = net.Builder.ToModel("MobileNetV2 (torchvision architecture, BN folded) with seeded random weights.");
        return new ZooModel(Name, model, "input", output, "NCHW", 224, 224, OutputIsProbabilities: false, labels, net.MultiplyAccumulates);
    }

    private static FeatureMap InvertedResidual(ConvNetGraph net, FeatureMap x, string prefix, int outChannels, int stride, int expansion)
    {
        var residual = stride == 1 && x.Channels == outChannels;
        var hidden = x.Channels * expansion;
        var h = x;
        if (expansion != 1)
        {
            h = net.Relu6(net.Conv(h, prefix + ".expand", hidden, 1));
        }

        h = net.Relu6(net.Conv(h, prefix + ".depthwise", hidden, 3, stride, groups: hidden));
        h = net.Conv(h, prefix + ".project", outChannels, 1, gain: residual ? LinearGain * ResidualGain : LinearGain);
        return residual ? net.Add(x, h, prefix + ".add") : h;
    }
}
