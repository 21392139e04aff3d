using Serverless.Inference;

namespace Serverless.Jobs.Classification;

/// <summary>
/// The process's classifiers (each with its pooled batch tensors), one per model, preset, batch
/// size and top-k, at most <c>capacity</c> of them: without a bound, a caller varying <c>top</c>
/// or the batch size could make the process allocate tensors until it dies. A classifier is used
/// through a lease; when a new one would pass the bound, the least recently used idle one is
/// disposed (one in use never is: the bound may be passed while all are busy).
/// A model file replaced under the same path (<see cref="ClassifierKey.Version"/> changed) gets a
/// new classifier for the next lease, never mid-batch: the old one serves the leases it has and is
/// disposed when the last is released, and then its model (<paramref name="modelReleased"/>:
/// true when the model was disposed, so it is not offered again).
/// </summary>
public sealed class ClassifierCache(int capacity, Func<LoadedModel, bool>? modelReleased = null) : IDisposable
{
    private readonly object gate = new();
    private readonly LinkedList<Entry> recent = new();
    private readonly Dictionary<ClassifierKey, LinkedListNode<Entry>> entries = new();
    private readonly HashSet<Entry> draining = [];
    private readonly HashSet<LoadedModel> unused = new(ReferenceEqualityComparer.Instance);

    /// <summary>How many classifiers are kept now (replaced ones still in use included).</summary>
    public int Count
    {
        get
        {
            lock (gate)
                return entries.Count + draining.Count;
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
            {
                RetireOtherVersions(key);
                entries[key] = node = new LinkedListNode<Entry>(new Entry(key, new Lazy<(BatchClassifier, string)>(() => (create(), ModelHashes.Sha256Of(key.Model)))));
            }
            recent.AddFirst(node);
            entry = node.Value;
            entry.Leases++;
            EvictIdleBeyondCapacity();
        }
        try
        {
            var (classifier, sha256) = entry.Classifier.Value;
            ReleaseUnusedModels();
            return new ClassifierLease(classifier, sha256, () => Return(entry));
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
            foreach (var entry in recent.Concat(draining).Where(e => e.Classifier.IsValueCreated))
                entry.Classifier.Value.Classifier.Dispose();
            entries.Clear();
            recent.Clear();
            draining.Clear();
        }
    }

    private void Return(Entry entry)
    {
        lock (gate)
        {
            entry.Leases--;
            if (entry.Leases == 0 && draining.Remove(entry))
                Close(entry);
            EvictIdleBeyondCapacity();
        }
        ReleaseUnusedModels();
    }

    // Classifiers of the same model, preset, batch size and top-k over an older file: out of the cache.
    private void RetireOtherVersions(ClassifierKey key)
    {
        foreach (var node in entries.Values.Where(n => n.Value.Key != key && n.Value.Key with { Version = key.Version } == key).ToList())
        {
            entries.Remove(node.Value.Key);
            recent.Remove(node);
            if (node.Value.Leases == 0)
                Close(node.Value);
            else
                draining.Add(node.Value);
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
                Close(node.Value);
            }
            node = previous;
        }
    }

    private void Close(Entry entry)
    {
        if (!entry.Classifier.IsValueCreated)
            return;
        var classifier = entry.Classifier.Value.Classifier;
        classifier.Dispose();
        unused.Add(classifier.Model);
    }

    // Offers each model no classifier uses any more to modelReleased (outside the lock: it may dispose a session).
    private void ReleaseUnusedModels()
    {
        if (modelReleased is null)
            return;
        List<LoadedModel> candidates;
        lock (gate)
        {
            var inUse = recent.Concat(draining).Where(e => e.Classifier.IsValueCreated).Select(e => e.Classifier.Value.Classifier.Model).ToHashSet(ReferenceEqualityComparer.Instance);
            unused.RemoveWhere(inUse.Contains);
            candidates = [.. unused];
        }
        foreach (var model in candidates.Where(modelReleased))
            lock (gate)
                unused.Remove(model);
    }

    private sealed class Entry(ClassifierKey key, Lazy<(BatchClassifier Classifier, string Sha256)> classifier)
    {
        public ClassifierKey Key { get; } = key;
        public Lazy<(BatchClassifier Classifier, string Sha256)> Classifier { get; } = classifier;
        public int Leases { get; set; }
    }
}

/// <summary>
/// What tells classifiers apart: the model's full path, the preset, the batch size and top-k, and
/// the version of the model file (<see cref="ModelFileVersion"/>), so a replaced file gets a new one;
/// and the named outputs the classifier returns (<see cref="BatchClassifier.Outputs"/>, NUL-joined; empty for none).
/// </summary>
public readonly record struct ClassifierKey(string Model, string? Preset, int BatchSize, int Top, ModelFileVersion Version = default, string Outputs = "");

/// <summary>A model file's modification time and length: what changes when an operator replaces it.</summary>
public readonly record struct ModelFileVersion(long LastWriteTicks, long Length)
{
    /// <summary>The version of the file at <paramref name="path"/> now (default when missing).</summary>
    public static ModelFileVersion Of(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? new ModelFileVersion(file.LastWriteTimeUtc.Ticks, file.Length) : default;
    }
}

/// <summary>A classifier in use; disposing hands it back to the cache.</summary>
public sealed class ClassifierLease(BatchClassifier classifier, string modelSha256, Action release) : IDisposable
{
    private int released;

    public BatchClassifier Classifier => classifier;

    /// <summary>The SHA-256 (lowercase hex) of the model file this classifier was made from: what served the batch.</summary>
    public string ModelSha256 => modelSha256;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref released, 1) == 0)
            release();
    }
}
