using Onnx;

namespace Serverless.Inference.Quantization;

/// <summary>
/// Where quantization goes in a float graph, decided before calibration so that calibration
/// measures exactly the tensors that get a QuantizeLinear/DequantizeLinear pair:
/// <list type="bullet">
/// <item>weights (and biases) of Conv, Gemm and MatMul with a constant weight;</item>
/// <item>the activation input of each of those, and their outputs, so ONNX Runtime finds
/// DQ -> Conv -> Q and fuses QLinearConv (QGemm, QLinearMatMul);</item>
/// <item>a Relu, or a Clip from 0, that alone follows such a node is removed: the uint8 Q of its
/// output, whose range starts at 0 with zero point 0, saturates exactly as it would;</item>
/// <item>Add of two quantized tensors and GlobalAveragePool of one get their output quantized
/// (QLinearAdd, QLinearGlobalAveragePool); MaxPool, Flatten and Reshape pass their input's
/// scale on unchanged (ONNX Runtime then runs them on uint8).</item>
/// </list>
/// Graph outputs stay float: the scores keep full precision.
/// </summary>
internal sealed class QdqPlan
{
    private static readonly HashSet<string> Compute = new(StringComparer.Ordinal) { "Conv", "Gemm", "MatMul" };
    private static readonly HashSet<string> SameScale = new(StringComparer.Ordinal) { "MaxPool", "Flatten", "Reshape" };

    private QdqPlan(ModelProto model)
    {
        Model = model;
    }

    /// <summary>The graph being planned (the caller's copy: <see cref="RemoveFoldedActivations"/> edits it).</summary>
    public ModelProto Model { get; }

    /// <summary>Nodes whose weight (input 1) and bias (input 2) are quantized.</summary>
    public List<NodeProto> ComputeNodes { get; } = [];

    /// <summary>Activation tensors calibrated and quantized with their own range, in graph order.</summary>
    public List<string> Calibrated { get; } = [];

    /// <summary>Tensors quantized with the scale of another (the key's producer reads the value's).</summary>
    public Dictionary<string, string> Tied { get; } = new(StringComparer.Ordinal);

    /// <summary>Relu/Clip nodes folded into the Q of the node before them.</summary>
    public List<NodeProto> FoldedActivations { get; } = [];

    /// <summary>Every quantized activation, calibrated or tied.</summary>
    public IEnumerable<string> Quantized => Calibrated.Concat(Tied.Keys);

    /// <summary>Plans <paramref name="model"/>; throws when it is already quantized or has nothing to quantize.</summary>
    public static QdqPlan Create(ModelProto model, QuantizeOptions options)
    {
        var graph = model.Graph;
        if (graph.Node.FirstOrDefault(n => IsQuantizedOp(n.OpType)) is { } quantizedNode)
        {
            throw new QuantizationException($"the model is already quantized (it has a {quantizedNode.OpType} node); quantize its float original instead.");
        }

        var opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        if (opset < 13)
        {
            throw new QuantizationException($"the model imports opset {opset}; per-channel DequantizeLinear needs 13 or later (re-export with opset_version=13 or above).");
        }

        var plan = new QdqPlan(model);
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var graphInputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var consumers = Consumers(graph);
        var quantized = new HashSet<string>(StringComparer.Ordinal);

        void Calibrate(string tensor)
        {
            if (tensor.Length > 0 && !initializers.ContainsKey(tensor) && !outputs.Contains(tensor) && quantized.Add(tensor))
            {
                plan.Calibrated.Add(tensor);
            }
        }

        foreach (var node in graph.Node.ToArray())
        {
            if (plan.FoldedActivations.Contains(node))
            {
                continue;
            }

            if (Compute.Contains(node.OpType) && node.Input.Count >= 2 && IsConstantWeight(node, initializers)
                && !options.ExcludedNodes.Contains(node.Name) && !(options.KeepFirstConvFloat && graphInputs.Contains(node.Input[0])))
            {
                plan.ComputeNodes.Add(node);
                Calibrate(node.Input[0]);
                Calibrate(plan.FoldFollowingActivation(node, consumers, initializers, outputs));
            }
            else if (node.OpType == "Add" && node.Input.Count == 2 && node.Input.All(quantized.Contains))
            {
                Calibrate(plan.FoldFollowingActivation(node, consumers, initializers, outputs));
            }
            else if (SameScale.Contains(node.OpType) && quantized.Contains(node.Input[0]) && !outputs.Contains(node.Output[0]))
            {
                quantized.Add(node.Output[0]);
                plan.Tied[node.Output[0]] = plan.Tied.GetValueOrDefault(node.Input[0], node.Input[0]);
            }
        }

        if (plan.ComputeNodes.Count == 0)
        {
            throw graph.Node.Any(n => Compute.Contains(n.OpType) && n.Input.Count >= 2 && IsConstantWeight(n, initializers))
                ? new QuantizationException("every Conv, Gemm and MatMul of the model is left in float (the first convolution kept in float, or excluded nodes): there is nothing to quantize.")
                : new QuantizationException("the model has no Conv, Gemm or MatMul with constant weights: there is nothing to quantize.");
        }

        return plan;
    }

    /// <summary>The tensor the node's Q will read: the output of a Relu/Clip folded into it, else its own output.</summary>
    private string FoldFollowingActivation(NodeProto node, Dictionary<string, List<NodeProto>> consumers, Dictionary<string, TensorProto> initializers, HashSet<string> outputs)
    {
        var output = node.Output[0];
        if (outputs.Contains(output) || !consumers.TryGetValue(output, out var readers) || readers.Count != 1)
        {
            return output;
        }

        var next = readers[0];
        var folds = next.OpType == "Relu" || (next.OpType == "Clip" && ClipsFromZero(next, initializers));
        if (!folds || next.Input[0] != output)
        {
            return output;
        }

        FoldedActivations.Add(next);
        return next.Output[0];
    }

    /// <summary>Removes the folded activations: their producer now writes their output directly.</summary>
    public void RemoveFoldedActivations()
    {
        var graph = Model.Graph;
        foreach (var activation in FoldedActivations)
        {
            var producer = graph.Node.Single(n => n.Output.Contains(activation.Input[0]));
            producer.Output[0] = activation.Output[0];
            graph.Node.Remove(activation);
        }
    }

    private static bool IsQuantizedOp(string opType) =>
        opType is "QuantizeLinear" or "DequantizeLinear" or "DynamicQuantizeLinear" or "ConvInteger" or "MatMulInteger"
            || opType.StartsWith("QLinear", StringComparison.Ordinal) || opType.StartsWith("QGemm", StringComparison.Ordinal);

    private static bool IsConstantWeight(NodeProto node, Dictionary<string, TensorProto> initializers)
    {
        if (!initializers.TryGetValue(node.Input[1], out var weight) || weight.DataType != (int)TensorProto.Types.DataType.Float)
        {
            return false;
        }

        return node.OpType switch
        {
            "Conv" => weight.Dims.Count >= 3,
            "Gemm" => weight.Dims.Count == 2 && OnnxAttributes.Int(node, "transA", 0) == 0,
            _ => weight.Dims.Count == 2,
        };
    }

    // Clip(x, 0, max) with constant bounds (opset 11+ inputs, or the min attribute before).
    private static bool ClipsFromZero(NodeProto clip, Dictionary<string, TensorProto> initializers)
    {
        if (clip.Input.Count >= 2 && clip.Input[1].Length > 0)
        {
            return initializers.TryGetValue(clip.Input[1], out var min) && TensorData.Floats(min) is [0f];
        }

        return clip.Attribute.FirstOrDefault(a => a.Name == "min") is { F: 0f };
    }

    private static Dictionary<string, List<NodeProto>> Consumers(GraphProto graph)
    {
        var consumers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var input in node.Input.Distinct())
            {
                if (!consumers.TryGetValue(input, out var list))
                {
                    consumers[input] = list = [];
                }

                list.Add(node);
            }
        }

        return consumers;
    }
}
