using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Serverless.Storage.Blob;

/// <summary>Images under a blob container prefix, listed one List Blobs page per request.</summary>
internal sealed class BlobImageSource(SourceUri location, BlobContainerClient container, StorageExecutor executor, ExtensionFilter filter) : IImageSource
{
    public SourceUri Location { get; } = location;

    public async IAsyncEnumerable<SourcePage> ListPagesAsync(
        string? continuationToken, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var token = string.IsNullOrEmpty(continuationToken) ? null : continuationToken;
        do
        {
            var page = await executor.RunAsync(Location.ToString(), ct => FetchPageAsync(token, pageSize, ct), cancellationToken)
                .ConfigureAwait(false);
            var keys = new List<string>(page.Values.Count);
            var objects = new List<SourceObject>(page.Values.Count);
            var skipped = 0;
            foreach (var item in page.Values)
            {
                if (filter.Accepts(item.Name))
                {
                    keys.Add(item.Name);
                    objects.Add(new SourceObject(item.Name, item.Properties?.ContentLength, item.Properties?.ETag?.ToString(), item.Properties?.LastModified));
                }
                else
                {
                    skipped++;
                }
            }

            token = string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken;
            yield return new SourcePage(keys, token, skipped) { Objects = objects };
        }
        while (token is not null);
    }

    public Task<byte[]> ReadAllBytesAsync(string key, long maxBytes, CancellationToken cancellationToken = default) =>
        executor.RunAsync(Describe(key), async ct =>
        {
            // Streamed, so the stated length is known before the body is read, and the read stops at the limit.
            var response = await container.GetBlobClient(key).DownloadStreamingAsync(cancellationToken: ct).ConfigureAwait(false);
            await using var body = response.Value.Content;
            return await StreamBytes.ReadAllAsync(body, response.Value.Details.ContentLength, maxBytes, ct).ConfigureAwait(false);
        }, cancellationToken);

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default) =>
        executor.RunAsync(Describe(key), async ct =>
        {
            var response = await container.GetBlobClient(key).DownloadStreamingAsync(cancellationToken: ct).ConfigureAwait(false);
            return response.Value.Content;
        }, cancellationToken);

    private async Task<Page<BlobItem>> FetchPageAsync(string? token, int pageSize, CancellationToken cancellationToken)
    {
        var options = new GetBlobsOptions { Prefix = Location.Prefix.Length == 0 ? null : Location.Prefix };
        await foreach (var page in container.GetBlobsAsync(options, cancellationToken).AsPages(token, pageSize).ConfigureAwait(false))
        {
            return page;
        }

        return Page<BlobItem>.FromValues([], null, null!);
    }

    private string Describe(string key) => $"azblob://{container.Name}/{key}";
}
