using System.Collections.Concurrent;

namespace Serverless.Inference;

/// <summary>
/// Process-wide cache of loaded models: each (full path, options, preset) is loaded once and kept
/// warm; concurrent callers share its session. A failed load is not cached, so a later call retries.
/// </summary>
public sealed class ModelCache : IDisposable
{
    private readonly ConcurrentDictionary<Key, Lazy<LoadedModel>> models = new();
    private int loadCount;
    private bool disposed;

    /// <summary>The cache of this process.</summary>
    public static ModelCache Shared { get; } = new();

    /// <summary>How many models this cache has loaded (successfully) so far.</summary>
    public int LoadCount => Volatile.Read(ref loadCount);

    /// <summary>
    /// Where load-time decisions worth an operator's attention go (a fixed batch that could not be
    /// made symbolic): one line each, on stderr unless replaced.
    /// </summary>
    public Action<string> Log { get; set; } = line => Console.Error.WriteLine("inference: " + line);

    /// <summary>Models loaded and kept warm now.</summary>
    public int Count => models.Count(p => p.Value.IsValueCreated);

    /// <summary>Raised once per successful load, on the loading thread.</summary>
    public event Action<LoadedModel>? ModelLoaded;

    /// <summary>Returns the loaded model, loading it on first use.</summary>
    /// <param name="modelPath">The .onnx file; its manifest and labels sit beside it.</param>
    /// <param name="options">Session and preprocessing options; null for <see cref="InferenceOptions.Default"/>.</param>
    /// <param name="presetOverride">Preset to use instead of the manifest's.</param>
    /// <exception cref="ModelLoadException">Missing file, bad manifest, or a graph that contradicts it.</exception>
    public LoadedModel GetOrLoad(string modelPath, InferenceOptions? options = null, string? presetOverride = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        ObjectDisposedException.ThrowIf(disposed, this);
        options ??= InferenceOptions.Default;
        var key = new Key(Path.GetFullPath(modelPath), options, presetOverride?.ToLowerInvariant());
        var lazy = models.GetOrAdd(key, k => new Lazy<LoadedModel>(() => Load(k), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            models.TryRemove(new KeyValuePair<Key, Lazy<LoadedModel>>(key, lazy));
            throw;
        }
    }

    /// <summary>Disposes every loaded session.</summary>
    public void Dispose()
    {
        disposed = true;
        foreach (var lazy in models.Values)
        {
            if (lazy.IsValueCreated)
            {
                lazy.Value.Dispose();
            }
        }

        models.Clear();
    }

    private LoadedModel Load(Key key)
    {
        var model = ModelLoader.Load(key.Path, key.Options, key.Preset, Log);
        Interlocked.Increment(ref loadCount);
        InferenceMetrics.RecordLoad(Path.GetFileName(key.Path));
        ModelLoaded?.Invoke(model);
        return model;
    }

    private sealed record Key(string Path, InferenceOptions Options, string? Preset);
}
