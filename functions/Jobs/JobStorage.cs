using Serverless.Storage;

namespace Serverless.Jobs;

/// <summary>Opens a job's image source and result store from their locations.</summary>
public interface IJobStorage
{
    /// <summary>The storage connections the locations are opened with.</summary>
    StorageConnections Connections { get; }

    /// <summary>The images under <paramref name="location"/> (s3://, azblob:// or a local folder).</summary>
    IImageSource Source(string location);

    /// <summary>Where results under <paramref name="location"/> are written.</summary>
    IResultStore Results(string location);
}

/// <summary>The storage library's factories over one set of connections.</summary>
public sealed class JobStorage(StorageConnections connections) : IJobStorage
{
    /// <inheritdoc/>
    public StorageConnections Connections { get; } = connections;

    /// <inheritdoc/>
    public IImageSource Source(string location) => ImageSourceFactory.Create(location, Connections);

    /// <inheritdoc/>
    public IResultStore Results(string location) => ResultStoreFactory.Create(location, Connections);
}
