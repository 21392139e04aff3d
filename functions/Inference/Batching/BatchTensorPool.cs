using System.Collections.Concurrent;

namespace Serverless.Inference;

/// <summary>Reuses <see cref="BatchTensor"/>s: at most a few exist per classifier (one running, one or two being filled).</summary>
internal sealed class BatchTensorPool(LoadedModel model, int batchSize) : IDisposable
{
    private readonly ConcurrentBag<BatchTensor> free = [];
    private int created;
    private bool disposed;

    /// <summary>How many tensors were ever made (for tests and diagnostics).</summary>
    public int Created => Volatile.Read(ref created);

    public BatchTensor Rent()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (free.TryTake(out var tensor))
        {
            return tensor;
        }

        Interlocked.Increment(ref created);
        return new BatchTensor(model, batchSize);
    }

    public void Return(BatchTensor tensor)
    {
        if (disposed)
        {
            tensor.Dispose();
            return;
        }

        free.Add(tensor);
    }

    public void Dispose()
    {
        disposed = true;
        while (free.TryTake(out var tensor))
        {
            tensor.Dispose();
        }
    }
}
