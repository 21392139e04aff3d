using Microsoft.ML.OnnxRuntime;

namespace Serverless.Inference;

/// <summary>
/// A model loaded once per process: its session (safe for concurrent <c>Run</c>), manifest,
/// labels and signature. Owned by the <see cref="ModelCache"/> that loaded it.
/// </summary>
public sealed class LoadedModel : IDisposable
{
    internal LoadedModel(string modelPath, ModelManifest manifest, IReadOnlyList<string>? labels, InferenceSession session, ModelSignature signature, InferenceOptions options)
    {
        ModelPath = modelPath;
        Manifest = manifest;
        Labels = labels;
        Session = session;
        Signature = signature;
        Options = options;
    }

    /// <summary>Full path of the .onnx file.</summary>
    public string ModelPath { get; }

    /// <summary>The .onnx file's name, without its folder (what metrics label a model with).</summary>
    public string FileName => Path.GetFileName(ModelPath);

    /// <summary>The resolved manifest (preset plus the manifest file's fields).</summary>
    public ModelManifest Manifest { get; }

    /// <summary>One label per class, or null when the manifest names no labels file.</summary>
    public IReadOnlyList<string>? Labels { get; }

    /// <summary>The ONNX Runtime session, shared by every caller.</summary>
    public InferenceSession Session { get; }

    /// <summary>Input/output names and the dimensions the graph fixes.</summary>
    public ModelSignature Signature { get; }

    /// <summary>The options the model was loaded with (preprocessing limits included).</summary>
    public InferenceOptions Options { get; }

    /// <summary>Floats of one preprocessed image: 3 x width x height.</summary>
    public int ElementsPerImage => 3 * Manifest.Width * Manifest.Height;

    /// <summary>The tensor shape of a batch of <paramref name="batchSize"/> images.</summary>
    public long[] InputShape(int batchSize) => Manifest.Layout == TensorLayout.NCHW
        ? [batchSize, 3, Manifest.Height, Manifest.Width]
        : [batchSize, Manifest.Height, Manifest.Width, 3];

    /// <summary>The batch size to use: the graph's own when it fixes one, else the request (at least 1).</summary>
    public int ResolveBatchSize(int requested) => Signature.FixedBatchSize ?? Math.Max(1, requested);

    /// <summary>The label of a class, or null when there are no labels.</summary>
    public string? LabelOf(int index) => Labels is not null && index < Labels.Count ? Labels[index] : null;

    /// <inheritdoc />
    public void Dispose() => Session.Dispose();
}
