using Serverless.ModelZoo.Onnx;

namespace Serverless.ModelZoo.Models;

/// <summary>
/// A closed-form classifier for correctness tests: it averages the normalized input over H and W
/// and picks the nearest colour prototype. Nearness is squared distance in the normalized space,
/// -|x - p|^2 = 2 p·x - |p|^2 - |x|^2; the last term is the same for every class, so one Gemm
/// computes the scores and a Softmax turns them into "probabilities".
/// </summary>
public static class DominantColorModel
{
    /// <summary>Zoo name.</summary>
    public const string Name = "dominant-color";

    /// <summary>Graph input.</summary>
    public const string InputName = "input";

    /// <summary>Graph output, [N, K] probabilities.</summary>
    public const string OutputName = "probabilities";

    /// <summary>Graph output, [N, 3]: the mean normalized colour, the model's "features".</summary>
    public const string FeaturesOutput = "features";

    /// <summary>Input side the manifest declares.</summary>
    public const int Size = 224;

    /// <summary>The classes, in output order: the corners of the RGB cube plus grey and orange.</summary>
    public static IReadOnlyList<ColorPrototype> Prototypes { get; } =
    [
        new("black", 0f, 0f, 0f),
        new("white", 1f, 1f, 1f),
        new("grey", 0.5f, 0.5f, 0.5f),
        new("red", 1f, 0f, 0f),
        new("green", 0f, 1f, 0f),
        new("blue", 0f, 0f, 1f),
        new("yellow", 1f, 1f, 0f),
        new("cyan", 0f, 1f, 1f),
        new("magenta", 1f, 0f, 1f),
        new("orange", 1f, 0.5f, 0f),
    ];

    /// <summary>Labels in output order.</summary>
    public static IReadOnlyList<string> Labels { get; } = Prototypes.Select(p => p.Label).ToArray();

    /// <summary>
    /// The class the model predicts for a crop whose mean colour is (r, g, b) in 0..1, computed
    /// without the model: nearest prototype by squared distance after ImageNet normalization.
    /// </summary>
    public static int ExpectedIndex(float r, float g, float b)
    {
        float[] x = [ImageNetNormalization.Normalize(0, r), ImageNetNormalization.Normalize(1, g), ImageNetNormalization.Normalize(2, b)];
        var best = 0;
        var bestDistance = double.MaxValue;
        for (var k = 0; k < Prototypes.Count; k++)
        {
            var p = Prototypes[k].Normalized();
            double distance = 0;
            for (var c = 0; c < 3; c++)
            {
                var d = (double)x[c] - p[c];
                distance += d * d;
            }

            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = k;
            }
        }

        return best;
    }

    /// <summary>The label of <see cref="ExpectedIndex"/>.</summary>
    public static string ExpectedLabel(float r, float g, float b) => Labels[ExpectedIndex(r, g, b)];

    /// <summary>Builds the graph; non-standard variants keep the standard manifest claims.</summary>
    public static ZooModel Build(DominantColorVariant variant = DominantColorVariant.Standard)
    {
        var builder = new OnnxGraphBuilder("dominant_color");
        var nchw = variant switch
        {
            DominantColorVariant.Standard or DominantColorVariant.FeaturesOnly => builder.AddInput(InputName, "N", 3, Size, Size),
            DominantColorVariant.WrongSize => builder.AddInput(InputName, "N", 3, 100, 100),
            DominantColorVariant.ChannelsLast => builder.AddNode(
                "Transpose",
                [builder.AddInput(InputName, "N", Size, Size, 3)],
                "input.nchw",
                OnnxAttribute.Ints("perm", 0, 3, 1, 2)),
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };

        var mean = builder.AddNode("GlobalAveragePool", [nchw], "mean.pooled");
        var flat = builder.AddNode("Flatten", [mean], FeaturesOutput, OnnxAttribute.Int("axis", 1));
        if (variant == DominantColorVariant.FeaturesOnly)
        {
            // A feature extractor: no class output, no labels.
            builder.AddOutput(flat, "N", 3);
            var extractor = builder.ToModel("The mean normalized input colour (a feature extractor, for tests).", [new("serverless.variant", variant.ToString())]);
            return new ZooModel($"{Name}-{VariantSuffix(variant)}", extractor, InputName, FeaturesOutput, "NCHW", Size, Size, OutputIsProbabilities: false, [], MultiplyAccumulates: 0);
        }


        var classes = Prototypes.Count;
        var weight = new float[classes * 3];
        var bias = new float[classes];
        for (var k = 0; k < classes; k++)
        {
            var p = Prototypes[k].Normalized();
            for (var c = 0; c < 3; c++)
            {
                weight[(k * 3) + c] = 2f * p[c];
                bias[k] -= p[c] * p[c];
            }
        }

        builder.AddInitializer("prototypes.weight", weight, classes, 3);
        builder.AddInitializer("prototypes.bias", bias, classes);
        var scores = builder.AddNode("Gemm", [flat, "prototypes.weight", "prototypes.bias"], "scores", OnnxAttribute.Int("transB", 1));
        builder.AddNode("Softmax", [scores], OutputName, OnnxAttribute.Int("axis", -1));
        builder.AddOutput(OutputName, "N", classes);
        builder.AddOutput(flat, "N", 3);

        var model = builder.ToModel(
            "Nearest colour prototype of the mean normalized input colour (closed form, for tests).",
            [new("serverless.variant", variant.ToString())]);
        var name = variant == DominantColorVariant.Standard ? Name : $"{Name}-{VariantSuffix(variant)}";
        return new ZooModel(name, model, InputName, OutputName, "NCHW", Size, Size, OutputIsProbabilities: true, Labels, MultiplyAccumulates: classes * 3);
    }

    internal static string VariantSuffix(DominantColorVariant variant) => variant switch
    {
        DominantColorVariant.WrongSize => "wrong-size",
        DominantColorVariant.ChannelsLast => "nhwc",
        DominantColorVariant.FeaturesOnly => "features",
        _ => "",
    };
}
