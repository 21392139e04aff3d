using Google.Protobuf;
using Onnx;

namespace Serverless.Inference;

/// <summary>
/// Makes a batch dimension fixed at 1 (torch.onnx.export's default) symbolic in the graph: the
/// inputs', outputs' and recorded intermediate shapes, and the constant Reshape shapes that bake
/// the 1 in (OnnxSharp's SetDim). Whether the rewritten graph really batches is for
/// <see cref="BatchProbe"/> to find out.
/// </summary>
internal static class BatchDimension
{
    /// <summary>The rewritten model, or null and why it cannot be rewritten.</summary>
    public static (byte[]? Model, string? Reason) MakeSymbolic(byte[] model)
    {
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException e)
        {
            return (null, $"the file could not be parsed for rewriting ({e.Message})");
        }

        if (proto.Graph.Initializer.Any(t => t.DataLocation == TensorProto.Types.DataLocation.External))
        {
            // From bytes, ONNX Runtime would not find the external weight files.
            return (null, "its weights are in external data files");
        }

        try
        {
            proto.Graph.SetDim();
        }
        catch (InvalidOperationException e)
        {
            // SetDim needs every Reshape's shape as an initializer.
            return (null, $"a Reshape takes a computed shape, which cannot be rewritten ({e.Message})");
        }

        return (proto.ToByteArray(), null);
    }
}
