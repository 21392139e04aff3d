using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Serverless.Inference.Quantization;

/// <summary>
/// Writes the QDQ graph of a <see cref="QdqPlan"/> with calibrated ranges: int8 per-channel
/// weights and int32 biases behind DequantizeLinear, and a QuantizeLinear/DequantizeLinear pair
/// (uint8, per tensor) after each quantized activation, read by all its consumers.
/// </summary>
internal static class QdqRewriter
{
    public const string QuantizedSuffix = "_quantized";
    public const string DequantizedSuffix = "_dequantized";

    /// <summary>Rewrites <paramref name="plan"/>'s model in place; returns how many biases had to saturate.</summary>
    public static int Rewrite(QdqPlan plan, IReadOnlyDictionary<string, (float Min, float Max)> ranges, bool reduceRange)
    {
        var graph = plan.Model.Graph;
        plan.RemoveFoldedActivations();
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);

        // Activation parameters: one scale and zero point per calibrated tensor, shared by the tensors tied to it.
        var parameters = new Dictionary<string, (string Scale, string ZeroPoint, float Value)>(StringComparer.Ordinal);
        foreach (var tensor in plan.Calibrated)
        {
            var (scale, zeroPoint) = QuantMath.Activation(ranges[tensor].Min, ranges[tensor].Max);
            graph.Initializer.Add(TensorData.Make(tensor + "_scale", DataType.Float, [scale], []));
            graph.Initializer.Add(TensorData.Make(tensor + "_zero_point", DataType.Uint8, [zeroPoint], []));
            parameters[tensor] = (tensor + "_scale", tensor + "_zero_point", scale);
        }

        foreach (var (tensor, source) in plan.Tied)
        {
            parameters[tensor] = parameters[source];
        }

        var weightNodes = new List<NodeProto>();
        var saturated = 0;
        foreach (var node in plan.ComputeNodes)
        {
            var inputScale = parameters.TryGetValue(node.Input[0], out var p) ? p.Value : (float?)null;
            saturated += QuantizeWeights(node, initializers[node.Input[1]], inputScale, initializers, weightNodes, graph, reduceRange ? 64 : 127);
        }

        // Consumers read the dequantized value; the Q reads the original.
        foreach (var node in graph.Node)
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (parameters.ContainsKey(node.Input[i]))
                {
                    node.Input[i] += DequantizedSuffix;
                }
            }
        }

        var nodes = new List<NodeProto>(weightNodes);
        foreach (var input in graph.Input.Where(i => parameters.ContainsKey(i.Name)))
        {
            nodes.AddRange(QdqPair(input.Name, parameters[input.Name]));
        }

        foreach (var node in graph.Node)
        {
            nodes.Add(node);
            foreach (var output in node.Output.Where(parameters.ContainsKey))
            {
                nodes.AddRange(QdqPair(output, parameters[output]));
            }
        }

        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        RemoveUnused(graph);
        return saturated;
    }

    private static int QuantizeWeights(NodeProto node, TensorProto weight, float? inputScale, Dictionary<string, TensorProto> initializers, List<NodeProto> weightNodes, GraphProto graph, int limit)
    {
        var axis = node.OpType switch
        {
            "Conv" => 0,
            "Gemm" => OnnxAttributes.Int(node, "transB", 0) == 1 ? 0 : 1,
            _ => 1, // MatMul: B is [K, N], one scale per output column
        };
        var (values, scales) = QuantMath.WeightPerChannel(TensorData.Floats(weight), weight.Dims, axis, limit);
        var prefix = node.Name.Length > 0 ? $"{node.Name}.{weight.Name}" : weight.Name;
        graph.Initializer.Add(TensorData.Make(prefix + QuantizedSuffix, DataType.Int8, values, weight.Dims));
        graph.Initializer.Add(TensorData.Make(prefix + "_scale", DataType.Float, scales, [scales.Length]));
        graph.Initializer.Add(TensorData.Make(prefix + "_zero_point", DataType.Int8, new sbyte[scales.Length], [scales.Length]));
        weightNodes.Add(Dequantize(prefix, axis));
        node.Input[1] = prefix + DequantizedSuffix;

        // The bias goes to int32 at scale x_scale * w_scale, so QLinearConv / QGemm add it to their accumulator.
        if (inputScale is not { } xScale || node.Input.Count < 3 || node.Input[2].Length == 0
            || !initializers.TryGetValue(node.Input[2], out var bias) || bias.Dims.Count != 1 || bias.Dims[0] != scales.Length
            || (node.OpType == "Gemm" && OnnxAttributes.Float(node, "beta", 1f) != 1f))
        {
            return 0;
        }

        var floats = TensorData.Floats(bias);
        var (quantized, biasScales) = QuantMath.Bias(floats, xScale, scales);
        var biasPrefix = node.Name.Length > 0 ? $"{node.Name}.{bias.Name}" : bias.Name;
        graph.Initializer.Add(TensorData.Make(biasPrefix + QuantizedSuffix, DataType.Int32, quantized, bias.Dims));
        graph.Initializer.Add(TensorData.Make(biasPrefix + "_scale", DataType.Float, biasScales, [biasScales.Length]));
        graph.Initializer.Add(TensorData.Make(biasPrefix + "_zero_point", DataType.Int32, new int[biasScales.Length], [biasScales.Length]));
        weightNodes.Add(Dequantize(biasPrefix, 0));
        node.Input[2] = biasPrefix + DequantizedSuffix;
        return quantized.Count(q => q is int.MinValue or int.MaxValue);
    }

    private static NodeProto Dequantize(string prefix, int axis)
    {
        var node = new NodeProto { OpType = "DequantizeLinear", Name = prefix + "_DequantizeLinear" };
        node.Input.AddRange([prefix + QuantizedSuffix, prefix + "_scale", prefix + "_zero_point"]);
        node.Output.Add(prefix + DequantizedSuffix);
        node.Attribute.Add(OnnxAttributes.MakeInt("axis", axis));
        return node;
    }

    private static IEnumerable<NodeProto> QdqPair(string tensor, (string Scale, string ZeroPoint, float Value) p)
    {
        var quantize = new NodeProto { OpType = "QuantizeLinear", Name = tensor + "_QuantizeLinear" };
        quantize.Input.AddRange([tensor, p.Scale, p.ZeroPoint]);
        quantize.Output.Add(tensor + QuantizedSuffix);
        var dequantize = new NodeProto { OpType = "DequantizeLinear", Name = tensor + "_DequantizeLinear" };
        dequantize.Input.AddRange([tensor + QuantizedSuffix, p.Scale, p.ZeroPoint]);
        dequantize.Output.Add(tensor + DequantizedSuffix);
        return [quantize, dequantize];
    }

    /// <summary>Drops the float weights no node reads any more and shape records of values that are gone.</summary>
    private static void RemoveUnused(GraphProto graph)
    {
        var read = graph.Node.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
        var produced = graph.Node.SelectMany(n => n.Output).Concat(graph.Input.Select(i => i.Name)).ToHashSet(StringComparer.Ordinal);
        var removed = graph.Initializer.Where(t => !read.Contains(t.Name)).ToArray();
        foreach (var tensor in removed)
        {
            graph.Initializer.Remove(tensor);
        }

        foreach (var info in graph.ValueInfo.Where(v => !produced.Contains(v.Name)).ToArray())
        {
            graph.ValueInfo.Remove(info);
        }

        // Files of IR version 3 list initializers among the graph inputs too.
        var gone = removed.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var input in graph.Input.Where(i => gone.Contains(i.Name)).ToArray())
        {
            graph.Input.Remove(input);
        }
    }
}
