using Microsoft.ML.OnnxRuntime;

namespace Serverless.Inference;

/// <summary>
/// A model loaded once per process: its session (safe for concurrent <c>Run</c>), manifest,
/// labels and signature, and where each setting came from. Owned by the <see cref="ModelCache"/> that loaded it.
/// </summary>
public sealed class LoadedModel : IDisposable
{
    internal LoadedModel(string modelPath, ResolvedManifest resolved, IReadOnlyList<string>? labels, string labelsSource, InferenceSession session, ModelSignature signature, string batching, string batchingReason, InferenceOptions options)
    {
        ModelPath = modelPath;
        Manifest = resolved.Manifest;
        Sources = resolved.Sources;
        Labels = labels;
        LabelsSource = labelsSource;
        Session = session;
        Signature = signature;
        Batching = batching;
        BatchingReason = batchingReason;
        Options = options;
    }

    /// <summary>Full path of the .onnx file.</summary>
    public string ModelPath { get; }

    /// <summary>The .onnx file's name, without its folder (what metrics label a model with).</summary>
    public string FileName => Path.GetFileName(ModelPath);

    /// <summary>The resolved manifest (preset, graph and manifest layers).</summary>
    public ModelManifest Manifest { get; }

    /// <summary>Per manifest field (as named in the JSON), where its value came from.</summary>
    public IReadOnlyDictionary<string, string> Sources { get; }

    /// <summary>One label per class, or null when none were found.</summary>
    public IReadOnlyList<string>? Labels { get; }

    /// <summary>Where the labels came from.</summary>
    public string LabelsSource { get; }

    /// <summary>The ONNX Runtime session, shared by every caller.</summary>
    public InferenceSession Session { get; }

    /// <summary>Input/output names and the dimensions the graph fixes.</summary>
    public ModelSignature Signature { get; }

    /// <summary>How batches run: "dynamic", "fixed at 4", "fixed at 1, one image at a time".</summary>
    public string Batching { get; }

    /// <summary>Why: as exported, made symbolic at load, or why it could not be.</summary>
    public string BatchingReason { get; }

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
