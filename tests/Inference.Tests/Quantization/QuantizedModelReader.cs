using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Serverless.Inference.Tests.Quantization;

/// <summary>Reads quantized graphs back: initializer values, and the operators ONNX Runtime turns them into.</summary>
internal static class QuantizedModelReader
{
    public static float[] Floats(TensorProto tensor) => MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();

    /// <summary>
    /// The op types of the graph as ONNX Runtime optimizes it (extended level: the QDQ fusions,
    /// before the hardware-specific layouts), saved to <paramref name="optimizedPath"/> and read back.
    /// </summary>
    public static IReadOnlyList<string> OptimizedOps(string modelPath, string optimizedPath)
    {
        using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OptimizedModelFilePath = optimizedPath })
        using (new InferenceSession(modelPath, options))
        {
        }

        return ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimizedPath)).Graph.Node.Select(n => n.OpType).ToArray();
    }
}
