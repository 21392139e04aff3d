using Microsoft.Extensions.Logging;
using Serverless.BatchInference.Contracts;
using Serverless.Inference;
using Serverless.Storage;
using Serverless.Jobs.Classification;

namespace Serverless.Jobs;

/// <summary>
/// What the activities of a job share in one process: storage, the warm model cache, and a bounded
/// set of classifiers (<see cref="ClassifierCache"/>). Every path is checked here again, where it
/// is used (a job's model inside the models root, its local source and output inside the local
/// root): a job stores resolved paths, but the worker is not the process that accepted it.
/// </summary>
public sealed class JobResources(IJobStorage storage, InferenceOptions inferenceOptions, LocalRoot localRoot, ModelsRoot modelsRoot, ClassifierCache classifiers, ILogger<JobResources>? logger = null)
    : IDisposable
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Model, string Sha256), byte> served = new();
    private StorageConnections? listingConnections;

    public StorageConnections Connections => storage.Connections;

    /// <summary>The largest encoded image read for classification (inference:maxEncodedBytes).</summary>
    public long MaxEncodedBytes => inferenceOptions.MaxEncodedBytes;

    /// <summary>Where models are named from; messages about models name them relative to it.</summary>
    public ModelsRoot ModelsRoot => modelsRoot;

    public IImageSource Source(string location) => storage.Source(Checked(location));

    public IResultStore Results(string location) => storage.Results(Checked(location));

    /// <summary>
    /// Every object under a job's source, whatever its extension (folder markers aside): the
    /// decoder tells an image from anything else by its content, and what it cannot read gets an
    /// <c>unsupported_format</c> row, as in <c>serverless classify</c>.
    /// </summary>
    public IImageSource Listing(string location) => ImageSourceFactory.Create(Checked(location), listingConnections ??= storage.Connections.EveryKey());

    /// <summary>
    /// The model, loaded once per process; throws <see cref="ModelLoadException"/> with the reason
    /// when it cannot be (its paths relative to the models root), <see cref="ArgumentException"/>
    /// when the name is not inside the models root.
    /// </summary>
    public LoadedModel Model(string name, string? preset)
    {
        var path = modelsRoot.ResolveOrThrow(name);
        try
        {
            return ModelCache.Shared.GetOrLoad(path, inferenceOptions, preset);
        }
        catch (ModelLoadException e) when (e.ModelPath != name)
        {
            // The same reason, naming the model as the caller did, not by its path on this host.
            var prefix = $"Cannot load model '{e.ModelPath}': ";
            var reason = e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message;
            throw new ModelLoadException(name, modelsRoot.Relative(reason), e.InnerException);
        }
    }

    /// <summary>The SHA-256 of model <paramref name="name"/>'s file as it is now (hashed once per file version).</summary>
    public string ModelSha256(string name) => ModelHashes.Sha256Of(modelsRoot.ResolveOrThrow(name));

    /// <summary>
    /// The model's SHA-256, checked against the one <paramref name="job"/> pinned when it started: a
    /// model file replaced during a job fails the job (<see cref="JobConfigurationException"/>) rather
    /// than classify some of its images with other bytes.
    /// </summary>
    public string PinnedModelSha256(JobSpec job)
    {
        var now = ModelSha256(job.Model);
        if (job.ModelSha256 is { } pinned && !string.Equals(pinned, now, StringComparison.Ordinal))
            throw new JobConfigurationException(
                $"the model '{job.Model}' was replaced while job {job.JobId} ran (sha256 {pinned} when it started, {now} now); " +
                "a job classifies every image with the model it started with: submit a new job for the new model");
        return now;
    }

    /// <summary>
    /// The classifier of a model, preset, batch size, top-k and named outputs (a job's <c>outputs</c>);
    /// dispose the lease after the call. A
    /// model file replaced since the last call gets a new classifier (batches running keep theirs);
    /// the log says which model file (SHA-256) each new classifier serves.
    /// </summary>
    public ClassifierLease Classifier(string model, string? preset, int batchSize, int top, IReadOnlyList<string>? outputs = null)
    {
        var path = modelsRoot.ResolveOrThrow(model);
        var lease = classifiers.Rent(new ClassifierKey(path, preset, batchSize, top, ModelFileVersion.Of(path), outputs is null ? "" : string.Join('\0', outputs)),
            () => new BatchClassifier(Model(model, preset), batchSize, top, outputs));
        if (served.TryAdd((model, lease.ModelSha256), 0))
            logger?.LogInformation("Model {Model} (sha256 {ModelSha256}) serves batches in this process from now on.", model, lease.ModelSha256);
        return lease;
    }

    public void Dispose() => classifiers.Dispose();

    private string Checked(string location)
    {
        var uri = SourceUri.Parse(location);
        if (uri.Kind == StorageKind.Local && !localRoot.Contains(uri.LocalPath))
            throw new ArgumentException($"local path '{location}' is outside this worker's root ({LocalRoot.Setting})");
        return location;
    }
}
