using Google.Protobuf;
using Onnx;

namespace Serverless.ModelZoo.Onnx;

/// <summary>Reads and writes <see cref="ModelProto"/> files and answers simple questions about them.</summary>
public static class OnnxModelFile
{
    /// <summary>Writes the model to a file, creating its folder if needed.</summary>
    public static void Save(ModelProto model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        model.WriteTo(stream);
    }

    /// <summary>Parses a model file.</summary>
    public static ModelProto Load(string path)
    {
        using var stream = File.OpenRead(path);
        return ModelProto.Parser.ParseFrom(stream);
    }

    /// <summary>Counts the float elements of the graph's initializers (the learned parameters).</summary>
    public static long CountParameters(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        long total = 0;
        foreach (var tensor in model.Graph.Initializer)
        {
            if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
            {
                continue;
            }

            long count = 1;
            foreach (var dim in tensor.Dims)
            {
                count *= dim;
            }

            total += count;
        }

        return total;
    }
}
