using Microsoft.ML.OnnxRuntime;

namespace Serverless.Inference;

/// <summary>
/// A fixed-shape input tensor, [batch, ...], over a pinned float buffer. Made once and reused for
/// every batch (a short last batch is padded: its unused slots keep stale data and are ignored), so
/// the hot path allocates no tensors and ORT's arena sees one shape.
/// </summary>
internal sealed class BatchTensor : IDisposable
{
    private readonly float[] buffer;

    public BatchTensor(LoadedModel model, int batchSize)
    {
        BatchSize = batchSize;
        ElementsPerImage = model.ElementsPerImage;
        buffer = GC.AllocateUninitializedArray<float>(batchSize * ElementsPerImage, pinned: true);
        Value = OrtValue.CreateTensorValueFromMemory(buffer, model.InputShape(batchSize));
    }

    public int BatchSize { get; }

    public int ElementsPerImage { get; }

    /// <summary>The ORT value over the buffer (same memory, no copy).</summary>
    public OrtValue Value { get; }

    /// <summary>The slot of image <paramref name="index"/>.</summary>
    public Span<float> Slot(int index) => buffer.AsSpan(index * ElementsPerImage, ElementsPerImage);

    public void Dispose() => Value.Dispose();
}
