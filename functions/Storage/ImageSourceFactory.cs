using Serverless.Storage.Blob;
using Serverless.Storage.Local;
using Serverless.Storage.S3;

namespace Serverless.Storage;

/// <summary>Makes the <see cref="IImageSource"/> for a location. Clients are shared per process.</summary>
public static class ImageSourceFactory
{
    /// <summary>Parses <paramref name="location"/> (see <see cref="SourceUri"/>) and makes its source.</summary>
    public static IImageSource Create(string location, StorageConnections connections) =>
        Create(SourceUri.Parse(location), connections);

    /// <summary>Makes the source for <paramref name="location"/>. Creating does no I/O; errors surface on first use.</summary>
    public static IImageSource Create(SourceUri location, StorageConnections connections)
    {
        var filter = new ExtensionFilter(connections.ImageExtensions);
        return location.Kind switch
        {
            StorageKind.S3 => new S3ImageSource(
                location, S3ClientCache.Get(connections.S3, connections.Retry), Executors.S3(connections), filter),
            StorageKind.AzureBlob => new BlobImageSource(
                location,
                BlobClientCache.Get(connections.Blob, connections.Retry).GetBlobContainerClient(location.Container),
                Executors.Blob(connections),
                filter),
            _ => new LocalImageSource(location, Executors.Local(connections), filter),
        };
    }
}
