using Serverless.Storage;

namespace Serverless.Drops;

/// <summary>
/// Lists object versions (key and ETag) under a location, page by page. The storage library's
/// <see cref="IImageSource"/> lists keys only; drops need the ETag to tell a new version of a key.
/// </summary>
public interface IVersionLister
{
    IAsyncEnumerable<IReadOnlyList<ObjectVersion>> ListPagesAsync(int pageSize, CancellationToken cancellationToken = default);

    /// <summary>The object's ETag now (unquoted); null when it no longer exists.</summary>
    Task<string?> CurrentETagAsync(string key, CancellationToken cancellationToken = default);
}

/// <summary>Makes the lister of a location's storage kind.</summary>
public static class VersionListerFactory
{
    public static IVersionLister Create(SourceUri location, StorageConnections connections) => location.Kind switch
    {
        StorageKind.S3 => new S3VersionLister(location, connections.S3),
        StorageKind.AzureBlob => new BlobVersionLister(location, connections.Blob, connections.Retry),
        _ => new LocalVersionLister(location),
    };

    /// <summary>ETags without the quotes some stores put around them.</summary>
    internal static string Normalize(string? etag) => (etag ?? "").Trim('"');
}
