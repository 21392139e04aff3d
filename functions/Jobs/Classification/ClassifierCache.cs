using Serverless.Inference;

namespace Serverless.Jobs.Classification;

/// <summary>
/// The process's classifiers (each with its pooled batch tensors), one per model, preset, batch
/// size and top-k, at most <c>capacity</c> of them: without a bound, a caller varying <c>top</c>
/// or the batch size could make the process allocate tensors until it dies. A classifier is used
/// through a lease; when a new one would pass the bound, the least recently used idle one is
/// disposed (one in use never is: the bound may be passed while all are busy).
/// </summary>
public sealed class ClassifierCache(int capacity) : IDisposable
{
    private readonly object gate = new();
    private readonly LinkedList<Entry> recent = new();
    private readonly Dictionary<ClassifierKey, LinkedListNode<Entry>> entries = new();

    /// <summary>How many classifiers are kept now.</summary>
    public int Count
    {
        get
        {
            lock (gate)
                return entries.Count;
        }
    }

    /// <summary>The classifier for <paramref name="key"/>, made by <paramref name="create"/> the first time; dispose the lease after use.</summary>
    public ClassifierLease Rent(ClassifierKey key, Func<BatchClassifier> create)
    {
        Entry entry;
        lock (gate)
        {
            if (entries.TryGetValue(key, out var node))
                recent.Remove(node);
            else
                entries[key] = node = new LinkedListNode<Entry>(new Entry(key, new Lazy<BatchClassifier>(create)));
            recent.AddFirst(node);
            entry = node.Value;
            entry.Leases++;
            EvictIdleBeyondCapacity();
        }
        try
        {
            return new ClassifierLease(entry.Classifier.Value, () => Return(entry));
        }
        catch
        {
            // A failed load is not kept: the next request tries again (a fixed model file loads).
            lock (gate)
            {
                entry.Leases--;
                if (entries.TryGetValue(key, out var node) && node.Value == entry)
                {
                    entries.Remove(key);
                    recent.Remove(node);
                }
            }
            throw;
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var entry in recent.Where(e => e.Classifier.IsValueCreated))
                entry.Classifier.Value.Dispose();
            entries.Clear();
            recent.Clear();
        }
    }

    private void Return(Entry entry)
    {
        lock (gate)
        {
            entry.Leases--;
            EvictIdleBeyondCapacity();
        }
    }

    private void EvictIdleBeyondCapacity()
    {
        for (var node = recent.Last; node is not null && entries.Count > capacity;)
        {
            var previous = node.Previous;
            if (node.Value.Leases == 0)
            {
                entries.Remove(node.Value.Key);
                recent.Remove(node);
                if (node.Value.Classifier.IsValueCreated)
                    node.Value.Classifier.Value.Dispose();
            }
            node = previous;
        }
    }

    private sealed class Entry(ClassifierKey key, Lazy<BatchClassifier> classifier)
    {
        public ClassifierKey Key { get; } = key;
        public Lazy<BatchClassifier> Classifier { get; } = classifier;
        public int Leases { get; set; }
    }
}

/// <summary>What tells classifiers apart: the model's full path, the preset, the batch size and top-k.</summary>
public readonly record struct ClassifierKey(string Model, string? Preset, int BatchSize, int Top);

/// <summary>A classifier in use; disposing hands it back to the cache.</summary>
public sealed class ClassifierLease(BatchClassifier classifier, Action release) : IDisposable
{
    private int released;

    public BatchClassifier Classifier => classifier;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref released, 1) == 0)
            release();
    }
}
