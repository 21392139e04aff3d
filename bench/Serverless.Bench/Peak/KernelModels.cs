using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Serverless.Bench;

/// <summary>
/// One-operator ONNX graphs for the machine's limits: a large MatMul / Conv in fp32, and their
/// integer forms (MatMulInteger, QLinearMatMul, QLinearConv) with unsigned or signed
/// activations and weights, the weights constant as in a quantized model.
/// </summary>
internal static class KernelModels
{
    /// <summary>A [M,K] x [K,N] product; <paramref name="op"/> is MatMul (fp32), MatMulInteger or QLinearMatMul.</summary>
    public static byte[] MatMul(string op, DataType a, DataType b, int m, int k, int n)
    {
        var graph = new GraphProto { Name = op };
        graph.Input.Add(Value("A", a, m, k));
        graph.Initializer.Add(Tensor("B", b, [k, n]));
        var node = new NodeProto { OpType = op, Name = op };
        switch (op)
        {
            case "MatMul":
                node.Input.AddRange(["A", "B"]);
                graph.Output.Add(Value("Y", DataType.Float, m, n));
                break;
            case "MatMulInteger":
                graph.Initializer.Add(Tensor("a_zp", a, []));
                graph.Initializer.Add(Tensor("b_zp", b, []));
                node.Input.AddRange(["A", "B", "a_zp", "b_zp"]);
                graph.Output.Add(Value("Y", DataType.Int32, m, n));
                break;
            default:
                AddQLinear(graph, node, a, b, "A", "B");
                graph.Output.Add(Value("Y", a, m, n));
                break;
        }

        node.Output.Add("Y");
        graph.Node.Add(node);
        return Model(graph);
    }

    /// <summary>A 3x3 convolution, stride 1, same padding, over [1,C,H,W]: Conv (fp32) or QLinearConv.</summary>
    public static byte[] Conv(string op, DataType x, DataType w, int channels, int size)
    {
        var graph = new GraphProto { Name = op };
        graph.Input.Add(Value("A", x, 1, channels, size, size));
        graph.Initializer.Add(Tensor("B", w, [channels, channels, 3, 3]));
        var node = new NodeProto { OpType = op, Name = op };
        node.Attribute.Add(new AttributeProto { Name = "kernel_shape", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 3, 3 } });
        node.Attribute.Add(new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 1, 1, 1 } });
        if (op == "Conv")
        {
            node.Input.AddRange(["A", "B"]);
        }
        else
        {
            AddQLinear(graph, node, x, w, "A", "B");
        }

        graph.Output.Add(Value("Y", op == "Conv" ? DataType.Float : x, 1, channels, size, size));
        node.Output.Add("Y");
        graph.Node.Add(node);
        return Model(graph);
    }

    private static void AddQLinear(GraphProto graph, NodeProto node, DataType a, DataType b, string aName, string bName)
    {
        graph.Initializer.Add(Scalar("a_scale", 0.02f));
        graph.Initializer.Add(Tensor("a_zp", a, []));
        graph.Initializer.Add(Scalar("b_scale", 0.01f));
        graph.Initializer.Add(Tensor("b_zp", b, []));
        graph.Initializer.Add(Scalar("y_scale", 0.5f));
        graph.Initializer.Add(Tensor("y_zp", a, []));
        node.Input.AddRange([aName, "a_scale", "a_zp", bName, "b_scale", "b_zp", "y_scale", "y_zp"]);
    }

    private static byte[] Model(GraphProto graph)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "Serverless.Bench", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model.ToByteArray();
    }

    private static ValueInfoProto Value(string name, DataType type, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dim });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }

    private static TensorProto Scalar(string name, float value)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)DataType.Float };
        tensor.FloatData.Add(value);
        return tensor;
    }

    /// <summary>Seeded values (zero points: the middle of the type's range for unsigned, 0 for signed).</summary>
    private static TensorProto Tensor(string name, DataType type, long[] dims)
    {
        var count = (int)dims.Aggregate(1L, (x, y) => x * y);
        var random = new Random(17);
        var tensor = new TensorProto { Name = name, DataType = (int)type };
        tensor.Dims.AddRange(dims);
        byte[] raw = type switch
        {
            DataType.Float => MemoryMarshal.AsBytes(Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray().AsSpan()).ToArray(),
            DataType.Uint8 => dims.Length == 0 ? [128] : Enumerable.Range(0, count).Select(_ => (byte)random.Next(256)).ToArray(),
            DataType.Int8 => dims.Length == 0 ? [0] : Enumerable.Range(0, count).Select(_ => (byte)(sbyte)random.Next(-127, 128)).ToArray(),
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
        tensor.RawData = ByteString.CopyFrom(raw);
        return tensor;
    }
}
