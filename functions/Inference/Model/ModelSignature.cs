using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Serverless.Inference;

/// <summary>
/// What the graph itself says about its image input and score output, checked against the
/// manifest so that a contradiction fails at load time.
/// </summary>
/// <param name="InputName">The image input.</param>
/// <param name="OutputName">The score output.</param>
/// <param name="FixedBatchSize">The batch dimension when the graph fixes it; null when dynamic.</param>
/// <param name="ClassCount">Classes per image when the graph says; null when dynamic.</param>
public sealed record ModelSignature(string InputName, string OutputName, int? FixedBatchSize, int? ClassCount)
{
    /// <summary>Reads the signature from <paramref name="session"/> and checks it against <paramref name="manifest"/>.</summary>
    /// <exception cref="ModelLoadException">The graph contradicts the manifest.</exception>
    public static ModelSignature Check(string modelPath, InferenceSession session, ModelManifest manifest)
    {
        void Fail(string message) => throw new ModelLoadException(modelPath, message);

        var inputName = manifest.InputName;
        if (inputName is null)
        {
            if (session.InputNames.Count != 1)
            {
                Fail($"the model has {session.InputNames.Count} inputs ({string.Join(", ", session.InputNames)}); name the image input in the manifest (inputName).");
            }

            inputName = session.InputNames[0];
        }
        else if (!session.InputMetadata.ContainsKey(inputName))
        {
            Fail($"the manifest names input '{inputName}' but the model's inputs are: {string.Join(", ", session.InputNames)}.");
        }

        var input = session.InputMetadata[inputName!];
        if (!input.IsTensor || input.ElementDataType != TensorElementType.Float)
        {
            Fail($"input '{inputName}' must be a float tensor (it is {input.ElementDataType}).");
        }

        var dims = input.Dimensions;
        if (dims.Length != 4)
        {
            Fail($"input '{inputName}' has shape {Shape(dims)}; an image batch needs 4 dimensions ({manifest.Layout}).");
        }

        CheckLayout(modelPath, inputName!, dims, manifest);

        var outputName = manifest.OutputName ?? session.OutputNames[0];
        if (!session.OutputMetadata.TryGetValue(outputName, out var output))
        {
            Fail($"the manifest names output '{outputName}' but the model's outputs are: {string.Join(", ", session.OutputNames)}.");
        }

        var outDims = output!.Dimensions;
        if (outDims.Length < 2 || !output.IsTensor || output.ElementDataType != TensorElementType.Float)
        {
            Fail($"output '{outputName}' must be a float tensor [N, classes] (it is {output.ElementDataType} {Shape(outDims)}).");
        }

        int? classes = outDims.Skip(1).All(d => d > 0) ? outDims.Skip(1).Aggregate(1, (a, d) => a * d) : null;
        int? batch = dims[0] > 0 ? dims[0] : null;
        return new ModelSignature(inputName!, outputName, batch, classes);
    }

    private static void CheckLayout(string modelPath, string inputName, int[] dims, ModelManifest m)
    {
        // Infer the layout from where the 3 sits; ambiguous shapes (3 at both ends, or dynamic) trust the manifest.
        var channelsFirst = dims[1] == 3;
        var channelsLast = dims[3] == 3;
        if (channelsFirst != channelsLast)
        {
            var actual = channelsFirst ? TensorLayout.NCHW : TensorLayout.NHWC;
            if (actual != m.Layout)
            {
                throw new ModelLoadException(modelPath, $"input '{inputName}' has shape {Shape(dims)}, which is {actual}, but the manifest says {m.Layout}.");
            }
        }

        var (c, h, w) = m.Layout == TensorLayout.NCHW ? (dims[1], dims[2], dims[3]) : (dims[3], dims[1], dims[2]);
        if (c > 0 && c != 3)
        {
            throw new ModelLoadException(modelPath, $"input '{inputName}' has shape {Shape(dims)}: {c} channels, expected 3 ({m.Layout}).");
        }

        if ((h > 0 && h != m.Height) || (w > 0 && w != m.Width))
        {
            throw new ModelLoadException(modelPath, $"input '{inputName}' has shape {Shape(dims)} ({m.Layout}) but the manifest says {m.Width}x{m.Height} (width x height).");
        }
    }

    private static string Shape(int[] dims) => "[" + string.Join(", ", dims.Select(d => d > 0 ? d.ToString() : "?")) + "]";
}
