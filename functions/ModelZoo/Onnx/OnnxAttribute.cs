using Google.Protobuf;
using Onnx;

namespace Serverless.ModelZoo.Onnx;

/// <summary>Factories for node attributes (the type discriminator is required since IR v2).</summary>
public static class OnnxAttribute
{
    /// <summary>An INT attribute (e.g. "group", "axis").</summary>
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A FLOAT attribute (e.g. "alpha").</summary>
    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>A STRING attribute, UTF-8 encoded.</summary>
    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>An INTS attribute (e.g. "kernel_shape", "pads", "perm").</summary>
    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }
}
