using System.Collections.Concurrent;

namespace Serverless.Inference;

/// <summary>
/// Process-wide cache of loaded models: each (full path, options, preset) is loaded once and kept
/// warm; concurrent callers share its session. A failed load is not cached, so a later call retries.
/// A file replaced under the same path (a shared volume an operator updates) is told by its
/// modification time and length and loaded again; the replaced model is retired, not disposed,
/// since callers may be using it: <see cref="DisposeIfRetired"/> ends it once they are done.
/// </summary>
public sealed class ModelCache : IDisposable
{
    private readonly ConcurrentDictionary<Key, Lazy<LoadedModel>> models = new();
    private readonly ConcurrentDictionary<LoadedModel, byte> retired = new(ReferenceEqualityComparer.Instance);
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
        var fullPath = Path.GetFullPath(modelPath);
        var key = new Key(fullPath, options, presetOverride?.ToLowerInvariant(), FileStamp.Of(fullPath));
        var lazy = models.GetOrAdd(key, k => new Lazy<LoadedModel>(() => Load(k), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            var model = lazy.Value;
            RetireOtherVersions(key);
            return model;
        }
        catch
        {
            models.TryRemove(new KeyValuePair<Key, Lazy<LoadedModel>>(key, lazy));
            throw;
        }
    }

    /// <summary>True when <paramref name="model"/> was replaced by a newer load of its file.</summary>
    public bool IsRetired(LoadedModel model) => retired.ContainsKey(model);

    /// <summary>Disposes <paramref name="model"/> if it was replaced by a newer version of its file; call when nothing uses it any more.</summary>
    /// <returns>Whether it was disposed.</returns>
    public bool DisposeIfRetired(LoadedModel model)
    {
        if (!retired.TryRemove(model, out _))
        {
            return false;
        }

        model.Dispose();
        return true;
    }

    /// <summary>Disposes every loaded session.</summary>
    public void Dispose()
    {
        disposed = true;
        foreach (var model in retired.Keys)
        {
            model.Dispose();
        }

        retired.Clear();
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

    // Earlier versions of the same file: out of the cache, kept alive until DisposeIfRetired.
    private void RetireOtherVersions(Key current)
    {
        foreach (var (key, lazy) in models)
        {
            if (key.Stamp != current.Stamp && key with { Stamp = current.Stamp } == current && models.TryRemove(new KeyValuePair<Key, Lazy<LoadedModel>>(key, lazy)) && lazy.IsValueCreated)
            {
                retired.TryAdd(lazy.Value, 0);
                Log($"{Path.GetFileName(key.Path)} changed on disk: the new file serves new batches, the old one those already running.");
            }
        }
    }

    private sealed record Key(string Path, InferenceOptions Options, string? Preset, FileStamp Stamp);

    /// <summary>What tells two versions of a file apart without reading it: its modification time and length.</summary>
    private readonly record struct FileStamp(long LastWriteTicks, long Length)
    {
        public static FileStamp Of(string path)
        {
            var file = new FileInfo(path);
            return file.Exists ? new FileStamp(file.LastWriteTimeUtc.Ticks, file.Length) : default;
        }
    }
}
