using System.Runtime.CompilerServices;
using Azure.Storage.Blobs;
using Serverless.Storage;

namespace Serverless.Drops;

/// <summary>Blob listing with ETags. Azurite (loopback) gets the service version it knows.</summary>
internal sealed class BlobVersionLister(SourceUri location, BlobSettings settings) : IVersionLister
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
            yield return page.Values.Select(b => new ObjectVersion(b.Name, VersionListerFactory.Normalize(b.Properties.ETag?.ToString()))).ToArray();
    }

    private BlobContainerClient Container()
    {
        var connection = settings.ConnectionString ?? throw new InvalidOperationException("No Azure Blob connection string is configured.");
        var probe = new BlobServiceClient(connection);
        var version = settings.ServiceVersion ?? (probe.Uri.IsLoopback ? BlobSettings.AzuriteServiceVersion : null);
        var options = version is null ? new BlobClientOptions() : new BlobClientOptions(Enum.Parse<BlobClientOptions.ServiceVersion>("V" + version.Replace('-', '_')));
        return new BlobServiceClient(connection, options).GetBlobContainerClient(location.Container);
    }
}
