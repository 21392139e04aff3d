using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace Serverless.ModelZoo.Onnx;

/// <summary>
/// Builds one ONNX graph: typed inputs and outputs, initializers, nodes in topological order.
/// Every node input must name a value that already exists, so wiring mistakes fail here rather
/// than at load time in ONNX Runtime.
/// </summary>
public sealed class OnnxGraphBuilder
{
    /// <summary>IR version written (ONNX 1.10+, read by every current ONNX Runtime).</summary>
    public const long IrVersion = 8;

    /// <summary>Default-domain opset imported by the model.</summary>
    public const long OpsetVersion = 17;

    private readonly GraphProto graph;
    private readonly HashSet<string> values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> prefixCounters = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(string graphName)
    {
        ArgumentException.ThrowIfNullOrEmpty(graphName);
        graph = new GraphProto { Name = graphName };
    }

    /// <summary>Number of float elements held by initializers: the model's parameter count.</summary>
    public long ParameterCount { get; private set; }

    /// <summary>Number of nodes added so far.</summary>
    public int NodeCount => graph.Node.Count;

    /// <summary>Adds a float graph input.</summary>
    public string AddInput(string name, params TensorDim[] shape) =>
        AddInput(name, TensorProto.Types.DataType.Float, shape);

    /// <summary>Adds a graph input of the given element type.</summary>
    public string AddInput(string name, TensorProto.Types.DataType elementType, params TensorDim[] shape)
    {
        Declare(name);
        graph.Input.Add(ValueInfo(name, elementType, shape));
        return name;
    }

    /// <summary>Declares an existing value as a float graph output.</summary>
    public void AddOutput(string name, params TensorDim[] shape)
    {
        if (!values.Contains(name))
        {
            throw new InvalidOperationException($"Output '{name}' is not produced by any node.");
        }

        graph.Output.Add(ValueInfo(name, TensorProto.Types.DataType.Float, shape));
    }

    /// <summary>Adds a float initializer stored as raw little-endian bytes; returns its name.</summary>
    public string AddInitializer(string name, ReadOnlySpan<float> data, params long[] dims)
    {
        CheckElementCount(name, data.Length, dims);
        var tensor = NewTensor(name, TensorProto.Types.DataType.Float, dims);
        tensor.RawData = UnsafeByteOperations.UnsafeWrap(MemoryMarshal.AsBytes(data).ToArray());
        graph.Initializer.Add(tensor);
        ParameterCount += data.Length;
        return name;
    }

    /// <summary>Adds an int64 initializer (shapes, axes); not counted as parameters.</summary>
    public string AddInt64Initializer(string name, ReadOnlySpan<long> data, params long[] dims)
    {
        CheckElementCount(name, data.Length, dims);
        var tensor = NewTensor(name, TensorProto.Types.DataType.Int64, dims);
        tensor.RawData = UnsafeByteOperations.UnsafeWrap(MemoryMarshal.AsBytes(data).ToArray());
        graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string AddNode(string opType, IReadOnlyList<string> inputs, string output, params AttributeProto[] attributes)
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        foreach (var input in inputs)
        {
            // "" marks an omitted optional input in ONNX.
            if (input.Length != 0 && !values.Contains(input))
            {
                throw new InvalidOperationException($"{opType} node reads unknown value '{input}'.");
            }
        }

        Declare(output);
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{graph.Node.Count}" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return output;
    }

    /// <summary>A fresh value name "prefix_k", unique in this graph.</summary>
    public string UniqueName(string prefix)
    {
        prefixCounters.TryGetValue(prefix, out var next);
        string candidate;
        do
        {
            candidate = $"{prefix}_{next++}";
        }
        while (values.Contains(candidate));

        prefixCounters[prefix] = next;
        return candidate;
    }

    /// <summary>Wraps the graph in a model with the IR version, opset and metadata.</summary>
    public ModelProto ToModel(string docString, IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        if (graph.Output.Count == 0)
        {
            throw new InvalidOperationException("The graph has no outputs.");
        }

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Serverless.ModelZoo",
            ProducerVersion = "1",
            ModelVersion = 1,
            DocString = docString,
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        foreach (var (key, value) in metadata ?? [])
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return model;
    }

    private void Declare(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!values.Add(name))
        {
            throw new InvalidOperationException($"Value '{name}' is defined twice.");
        }
    }

    private TensorProto NewTensor(string name, TensorProto.Types.DataType type, long[] dims)
    {
        Declare(name);
        var tensor = new TensorProto { Name = name, DataType = (int)type };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    private static void CheckElementCount(string name, int count, long[] dims)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("raw_data must be little-endian.");
        }

        long expected = 1;
        foreach (var dim in dims)
        {
            expected *= dim;
        }

        if (expected != count)
        {
            throw new ArgumentException($"Initializer '{name}' has {count} elements, its shape needs {expected}.");
        }
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType elementType, TensorDim[] shape)
    {
        var tensorShape = new TensorShapeProto();
        foreach (var dim in shape)
        {
            tensorShape.Dim.Add(dim.ToProto());
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)elementType, Shape = tensorShape } },
        };
    }
}
