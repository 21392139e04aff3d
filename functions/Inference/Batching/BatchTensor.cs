using Microsoft.ML.OnnxRuntime;

namespace Serverless.Inference;

/// <summary>
/// A fixed-size input tensor, [batch, ...], over a pinned float buffer. Made once and reused for
/// every batch, so the hot path allocates no buffers. A short last batch runs at its real size
/// when the graph's batch dimension is dynamic (a [count, ...] view of the same buffer); with a
/// fixed batch dimension it is padded: the unused slots keep stale data and are ignored.
/// </summary>
internal sealed class BatchTensor : IDisposable
{
    private readonly float[] buffer;
    private readonly LoadedModel model;
    private readonly bool dynamicBatch;
    private OrtValue? shortValue;
    private int shortCount;

    public BatchTensor(LoadedModel model, int batchSize)
    {
        this.model = model;
        BatchSize = batchSize;
        ElementsPerImage = model.ElementsPerImage;
        dynamicBatch = model.Signature.FixedBatchSize is null;
        buffer = GC.AllocateUninitializedArray<float>(batchSize * ElementsPerImage, pinned: true);
        Value = OrtValue.CreateTensorValueFromMemory(buffer, model.InputShape(batchSize));
    }

    public int BatchSize { get; }

    public int ElementsPerImage { get; }

    /// <summary>The ORT value over the whole buffer (same memory, no copy).</summary>
    public OrtValue Value { get; }

    /// <summary>The slot of image <paramref name="index"/>.</summary>
    public Span<float> Slot(int index) => buffer.AsSpan(index * ElementsPerImage, ElementsPerImage);

    /// <summary>
    /// The ORT value to run for the first <paramref name="count"/> images and its batch dimension
    /// (<paramref name="count"/>, or <see cref="BatchSize"/> when the graph fixes it). The short
    /// view is kept: in a stream only the last batch is short.
    /// </summary>
    public (OrtValue Value, int Rows) ValueFor(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, BatchSize);
        if (count == BatchSize || !dynamicBatch)
        {
            return (Value, BatchSize);
        }

        if (shortValue is null || shortCount != count)
        {
            shortValue?.Dispose();
            shortValue = null;
            shortValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, count * ElementsPerImage), model.InputShape(count));
            shortCount = count;
        }

        return (shortValue, count);
    }

    public void Dispose()
    {
        Value.Dispose();
        shortValue?.Dispose();
    }
}
