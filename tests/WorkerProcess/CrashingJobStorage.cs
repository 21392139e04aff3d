using Serverless.Storage;
using Serverless.Jobs;

namespace Serverless.WorkerProcess;

/// <summary>Job storage whose sources kill the process on reading a marked key.</summary>
internal sealed class CrashingJobStorage(IJobStorage inner, string marker) : IJobStorage
{
    public StorageConnections Connections => inner.Connections;

    public IImageSource Source(string location) => new CrashingImageSource(inner.Source(location), marker);

    public IResultStore Results(string location) => inner.Results(location);
}

/// <summary>Lists like its inner source; reading a key that contains the marker ends the process at once.</summary>
internal sealed class CrashingImageSource(IImageSource inner, string marker) : IImageSource
{
    public SourceUri Location => inner.Location;

    public IAsyncEnumerable<SourcePage> ListPagesAsync(string? continuationToken, int pageSize, CancellationToken cancellationToken = default) =>
        inner.ListPagesAsync(continuationToken, pageSize, cancellationToken);

    public Task<byte[]> ReadAllBytesAsync(string key, long maxBytes, CancellationToken cancellationToken = default)
    {
        CrashOn(key);
        return inner.ReadAllBytesAsync(key, maxBytes, cancellationToken);
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        CrashOn(key);
        return inner.OpenReadAsync(key, cancellationToken);
    }

    private void CrashOn(string key)
    {
        if (key.Contains(marker, StringComparison.Ordinal))
            Environment.FailFast($"test worker: crashing on {key}");
    }
}
