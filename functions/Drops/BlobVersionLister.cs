using System.Runtime.CompilerServices;
using Azure.Storage.Blobs;
using Serverless.Storage;

namespace Serverless.Drops;

/// <summary>Blob listing with ETags, with the client of <c>azblob://</c> sources (connection string or identity).</summary>
internal sealed class BlobVersionLister(SourceUri location, BlobSettings settings, RetrySettings retry) : IVersionLister
{
    public async Task<string?> CurrentETagAsync(string key, CancellationToken cancellationToken = default)
    {
        try
        {
            var properties = await Container().GetBlobClient(key).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return VersionListerFactory.Normalize(properties.Value.ETag.ToString());
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async IAsyncEnumerable<IReadOnlyList<ObjectVersion>> ListPagesAsync(int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var container = Container();
        await foreach (var page in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, location.Prefix, cancellationToken).AsPages(pageSizeHint: pageSize).ConfigureAwait(false))
            yield return page.Values.Select(b => new ObjectVersion(b.Name, VersionListerFactory.Normalize(b.Properties.ETag?.ToString())) { Modified = b.Properties.LastModified }).ToArray();
    }

    // The sources' client (connection string or identity), one per process; a failed poll is retried by the next.
    private BlobContainerClient Container() => Serverless.Storage.Blob.BlobClientCache.Get(settings, retry).GetBlobContainerClient(location.Container);
}
