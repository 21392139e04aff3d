using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Serverless.Inference;

/// <summary>
/// What the graph itself says about its image input and score output, checked against the
/// resolved manifest so that a contradiction fails at load time.
/// </summary>
/// <param name="InputName">The image input.</param>
/// <param name="OutputName">The score output.</param>
/// <param name="FixedBatchSize">The batch dimension when the graph fixes it; null when dynamic.</param>
/// <param name="ClassCount">Classes per image when the graph says; null when dynamic.</param>
public sealed record ModelSignature(string InputName, string OutputName, int? FixedBatchSize, int? ClassCount)
{
    /// <summary>The image input: the one the manifest names, else the model's only input.</summary>
    /// <exception cref="ModelLoadException">The named input does not exist, or there are several and none is named.</exception>
    public static string ImageInput(string modelPath, InferenceSession session, string? named, string? namedBy)
    {
        if (named is null)
        {
            return session.InputNames.Count == 1
                ? session.InputNames[0]
                : throw new ModelLoadException(modelPath, $"the model has {session.InputNames.Count} inputs ({string.Join(", ", session.InputNames)}); name the image input in the manifest (inputName).");
        }

        return session.InputMetadata.ContainsKey(named)
            ? named
            : throw new ModelLoadException(modelPath, $"{namedBy} names input '{named}' but the model's inputs are: {string.Join(", ", session.InputNames)}.");
    }

    /// <summary>Reads the signature from <paramref name="session"/> and checks it against <paramref name="resolved"/>.</summary>
    /// <exception cref="ModelLoadException">The graph contradicts the manifest.</exception>
    public static ModelSignature Check(string modelPath, InferenceSession session, ResolvedManifest resolved)
    {
        void Fail(string message) => throw new ModelLoadException(modelPath, message);

        var manifest = resolved.Manifest;
        var inputName = ImageInput(modelPath, session, manifest.InputName, resolved.Sources["inputName"]);
        var input = session.InputMetadata[inputName];
        if (!input.IsTensor || input.ElementDataType != TensorElementType.Float)
        {
            Fail($"input '{inputName}' must be a float tensor (it is {input.ElementDataType}).");
        }

        var dims = input.Dimensions;
        if (dims.Length != 4)
        {
            Fail($"input '{inputName}' has shape {GraphShape.Format(dims)}; an image batch needs 4 dimensions ({manifest.Layout}).");
        }

        var channels = manifest.Layout == TensorLayout.NCHW ? dims[1] : dims[3];
        if (channels > 0 && channels != 3)
        {
            Fail($"input '{inputName}' has shape {GraphShape.Format(dims)}: {channels} channels, expected 3 ({manifest.Layout}, {resolved.Sources["layout"]}).");
        }

        var outputName = manifest.OutputName ?? session.OutputNames[0];
        if (!session.OutputMetadata.TryGetValue(outputName, out var output))
        {
            Fail($"{resolved.Sources["outputName"]} names output '{outputName}' but the model's outputs are: {string.Join(", ", session.OutputNames)}.");
        }

        var outDims = output!.Dimensions;
        if (outDims.Length < 2 || !output.IsTensor || output.ElementDataType != TensorElementType.Float)
        {
            Fail($"output '{outputName}' must be a float tensor [N, classes] (it is {output.ElementDataType} {GraphShape.Format(outDims)}).");
        }

        int? classes = outDims.Skip(1).All(d => d > 0) ? outDims.Skip(1).Aggregate(1, (a, d) => a * d) : null;
        int? batch = dims[0] > 0 ? dims[0] : null;
        return new ModelSignature(inputName, outputName, batch, classes);
    }
}
