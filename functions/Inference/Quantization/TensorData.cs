using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace Serverless.Inference.Quantization;

/// <summary>Reads float initializers (raw_data or float_data) and makes the quantized ones, little-endian raw_data.</summary>
internal static class TensorData
{
    public static float[] Floats(TensorProto tensor)
    {
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
        {
            throw new QuantizationException($"initializer '{tensor.Name}' is not float (type {tensor.DataType}).");
        }

        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw new QuantizationException($"initializer '{tensor.Name}' is stored in an external data file; save the model with its weights inside.");
        }

        return tensor.RawData.IsEmpty ? [.. tensor.FloatData] : MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
    }

    public static TensorProto Make<T>(string name, TensorProto.Types.DataType type, T[] values, IEnumerable<long> dims)
        where T : unmanaged
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type };
        tensor.Dims.AddRange(dims);
        tensor.RawData = UnsafeByteOperations.UnsafeWrap(MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        return tensor;
    }

    public static long Elements(TensorProto tensor) => tensor.Dims.Aggregate(1L, (a, b) => a * b);
}
