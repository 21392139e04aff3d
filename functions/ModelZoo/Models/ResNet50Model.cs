namespace Serverless.ModelZoo.Models;

/// <summary>
/// torchvision's resnet50 (v1.5: the stride sits on the 3x3 conv of each bottleneck) with batch
/// norm folded into conv biases: input "input" [N,3,224,224], output "logits" [N,1000]; about
/// 25.5M parameters and 4.1G multiply-accumulates per image. Weights are seeded random.
/// </summary>
public static class ResNet50Model
{
    /// <summary>Zoo name.</summary>
    public const string Name = "resnet50";

    private const int Expansion = 4;

    // Convs whose output is added without a ReLU in between get He gain sqrt(1/2) (nothing halves
    // their second moment); the residual branch is scaled down again (torchvision's
    // zero_init_residual, softened), so 16 additions keep the activations of order one.
    private static readonly float LinearGain = MathF.Sqrt(0.5f);
    private static readonly float ResidualGain = 0.5f * LinearGain;

    private static readonly (int Planes, int Blocks, int Stride)[] Stages =
    [
        (64, 3, 1),
        (128, 4, 2),
        (256, 6, 2),
        (512, 3, 2),
    ];

    /// <summary>Builds the graph with labels for its 1000 outputs.</summary>
    public static ZooModel Build(ulong seed, IReadOnlyList<string> labels)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(labels.Count, ImageNetLabels.Count);
        var net = new ConvNetGraph("resnet50", seed);
        var x = net.Input("input", 3, 224, 224);
        x = net.Relu(net.Conv(x, "conv1", 64, 7, stride: 2));
        x = net.MaxPool(x, "maxpool.out", kernel: 3, stride: 2, padding: 1);

        for (var stage = 0; stage < Stages.Length; stage++)
        {
            var (planes, blocks, stride) = Stages[stage];
            for (var block = 0; block < blocks; block++)
            {
                x = Bottleneck(net, x, $"layer{stage + 1}.{block}", planes, block == 0 ? stride : 1);
            }
        }

        var output = net.ClassifierHead(x, "fc", ImageNetLabels.Count, "logits");
        var model = net.Builder.ToModel("ResNet-50 v1.5 (torchvision architecture, BN folded) with seeded random weights.");
        return new ZooModel(Name, model, "input", output, "NCHW", 224, 224, OutputIsProbabilities: false, labels, net.MultiplyAccumulates);
    }

    private static FeatureMap Bottleneck(ConvNetGraph net, FeatureMap x, string prefix, int planes, int stride)
    {
        var outChannels = planes * Expansion;
        var h = net.Relu(net.Conv(x, prefix + ".conv1", planes, 1));
        h = net.Relu(net.Conv(h, prefix + ".conv2", planes, 3, stride));
        h = net.Conv(h, prefix + ".conv3", outChannels, 1, gain: ResidualGain);

        var identity = stride != 1 || x.Channels != outChannels
            ? net.Conv(x, prefix + ".downsample", outChannels, 1, stride, gain: LinearGain)
            : x;
        return net.Relu(net.Add(h, identity, prefix + ".add"));
    }
}
