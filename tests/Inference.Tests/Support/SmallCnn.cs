using System.Text.Json;
using Serverless.ModelZoo.Models;
using Serverless.ModelZoo.Onnx;
using Serverless.TestSupport;

namespace Serverless.Inference.Tests.Support;

/// <summary>
/// tests/fidelity's small CNN (make_goldens.py: four Conv-BatchNorm-ReLU blocks of stride 2, global
/// average pooling, BatchNorm1d, Linear), built here as torch.onnx.export writes it (input
/// "input.1", batch fixed at 1, Gemm head with transB) from its seeded weights and the batch-norm
/// statistics PyTorch calibrated on the photos (folded into the convs, as the export does), so no
/// model file is committed. Its labels sit beside it.
/// </summary>
internal static class SmallCnn
{
    private static readonly (int In, int Out)[] Blocks = [(3, 16), (16, 32), (32, 64), (64, 96)];
    private const int Classes = 1000;

    private static readonly Lazy<string> Built = new(Build);

    /// <summary>The .onnx file, written once per test run under .work.</summary>
    public static string ModelPath => Built.Value;

    private static string Build()
    {
        using var statistics = JsonDocument.Parse(File.ReadAllText(Goldens.Path("small-cnn.batchnorm.json")));
        var layers = statistics.RootElement.GetProperty("layers").EnumerateArray().ToArray();
        var weights = new SeededWeights(statistics.RootElement.GetProperty("seed").GetUInt64());

        var graph = new OnnxGraphBuilder("small-cnn");
        var x = graph.AddInput("input.1", 1, 3, 224, 224);
        for (var i = 0; i < Blocks.Length; i++)
        {
            var (cin, cout) = Blocks[i];
            // torch.onnx.export folds an eval-mode batch norm into the conv before it: so do we.
            var (w, b) = FoldBatchNorm(weights.HeUniform(cout * cin * 9, cin * 9), layers[i]);
            x = graph.AddNode("Conv", [x, graph.AddInitializer($"conv{i}.weight", w, cout, cin, 3, 3), graph.AddInitializer($"conv{i}.bias", b, cout)], $"conv{i}",
                OnnxAttribute.Ints("kernel_shape", 3, 3), OnnxAttribute.Ints("strides", 2, 2), OnnxAttribute.Ints("pads", 1, 1, 1, 1));
            x = graph.AddNode("Relu", [x], $"relu{i}");
        }

        x = graph.AddNode("GlobalAveragePool", [x], "pool");
        x = graph.AddNode("Flatten", [x], "flatten", OnnxAttribute.Int("axis", 1));
        x = BatchNorm(graph, x, layers[Blocks.Length], "bn_head");
        var features = Blocks[^1].Out;
        var bound = 1f / MathF.Sqrt(features);
        var headWeight = graph.AddInitializer("fc.weight", weights.Uniform(Classes * features, bound), Classes, features);
        var headBias = graph.AddInitializer("fc.bias", weights.Uniform(Classes, bound), Classes);
        var logits = graph.AddNode("Gemm", [x, headWeight, headBias], "logits", OnnxAttribute.Int("transB", 1));
        graph.AddOutput(logits, 1, Classes);

        var folder = Path.Combine(RepoPaths.Work, "fidelity", "small-cnn");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "small-cnn.onnx");
        OnnxModelFile.Save(graph.ToModel("tests/fidelity small CNN"), path);
        File.Copy(Goldens.Path("small-cnn.labels.txt"), Path.Combine(folder, "small-cnn.labels.txt"), overwrite: true);
        return path;
    }

    /// <summary>A conv's weights and bias with the batch norm after it folded in: w * s, -mean * s per output channel, s = 1 / sqrt(var + eps).</summary>
    private static (float[] Weight, float[] Bias) FoldBatchNorm(float[] weight, JsonElement layer)
    {
        var (mean, variance) = Statistics(layer);
        var eps = layer.GetProperty("eps").GetDouble();
        var perChannel = weight.Length / mean.Length;
        var bias = new float[mean.Length];
        for (var c = 0; c < mean.Length; c++)
        {
            var scale = (float)(1 / Math.Sqrt(variance[c] + eps));
            for (var k = 0; k < perChannel; k++)
                weight[(c * perChannel) + k] *= scale;
            bias[c] = -mean[c] * scale;
        }

        return (weight, bias);
    }

    private static (float[] Mean, float[] Variance) Statistics(JsonElement layer) =>
        (layer.GetProperty("mean").EnumerateArray().Select(v => v.GetSingle()).ToArray(),
         layer.GetProperty("var").EnumerateArray().Select(v => v.GetSingle()).ToArray());

    /// <summary>Eval-mode batch norm with PyTorch's calibrated statistics (weight 1, bias 0 as initialized).</summary>
    private static string BatchNorm(OnnxGraphBuilder graph, string x, JsonElement layer, string name)
    {
        var (mean, variance) = Statistics(layer);
        var ones = Enumerable.Repeat(1f, mean.Length).ToArray();
        var zeros = new float[mean.Length];
        return graph.AddNode("BatchNormalization",
            [x, graph.AddInitializer($"{name}.weight", ones, mean.Length), graph.AddInitializer($"{name}.bias", zeros, mean.Length),
             graph.AddInitializer($"{name}.running_mean", mean, mean.Length), graph.AddInitializer($"{name}.running_var", variance, mean.Length)],
            name, OnnxAttribute.Float("epsilon", (float)layer.GetProperty("eps").GetDouble()));
    }
}
