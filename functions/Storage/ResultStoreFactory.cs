using Serverless.Storage.Blob;
using Serverless.Storage.Local;
using Serverless.Storage.S3;

namespace Serverless.Storage;

/// <summary>Makes the <see cref="IResultStore"/> for an output location. Clients are shared per process.</summary>
public static class ResultStoreFactory
{
    /// <summary>Parses <paramref name="location"/> (see <see cref="SourceUri"/>) and makes its store.</summary>
    public static IResultStore Create(string location, StorageConnections connections) =>
        Create(SourceUri.Parse(location), connections);

    /// <summary>
    /// Makes the store for <paramref name="location"/>. The bucket or container must exist
    /// (a missing one is a <see cref="StorageErrorKind.ContainerNotFound"/> on first use); a
    /// local folder is created on first write.
    /// </summary>
    public static IResultStore Create(SourceUri location, StorageConnections connections) => location.Kind switch
    {
        StorageKind.S3 => new S3ResultStore(location, S3ClientCache.Get(connections.S3, connections.Retry), Executors.S3(connections)),
        StorageKind.AzureBlob => new BlobResultStore(
            location,
            BlobClientCache.Get(connections.Blob, connections.Retry).GetBlobContainerClient(location.Container),
            Executors.Blob(connections)),
        _ => new LocalResultStore(location, Executors.Local(connections)),
    };
}
