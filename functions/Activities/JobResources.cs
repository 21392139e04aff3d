using System.Collections.Concurrent;
using Serverless.Inference;
using Serverless.Storage;

namespace Serverless.Activities;

/// <summary>
/// What the activities of a job share in one process: storage, the warm model cache, and one
/// classifier (with its pooled tensors) per model, batch size and top-k.
/// </summary>
public sealed class JobResources(IJobStorage storage, InferenceOptions inferenceOptions) : IDisposable
{
    private readonly ConcurrentDictionary<(string Model, string? Preset, int BatchSize, int Top), Lazy<BatchClassifier>> classifiers = new();

    public StorageConnections Connections => storage.Connections;

    public IImageSource Source(string location) => storage.Source(location);

    public IResultStore Results(string location) => storage.Results(location);

    /// <summary>The model, loaded once per process; throws <see cref="ModelLoadException"/> with the reason when it cannot be.</summary>
    public LoadedModel Model(string path, string? preset) => ModelCache.Shared.GetOrLoad(Path.GetFullPath(path), inferenceOptions, preset);

    public BatchClassifier Classifier(string model, string? preset, int batchSize, int top) =>
        classifiers.GetOrAdd((Path.GetFullPath(model), preset, batchSize, top),
            key => new Lazy<BatchClassifier>(() => new BatchClassifier(Model(key.Model, key.Preset), key.BatchSize, key.Top))).Value;

    public void Dispose()
    {
        foreach (var classifier in classifiers.Values.Where(c => c.IsValueCreated))
            classifier.Value.Dispose();
    }
}
