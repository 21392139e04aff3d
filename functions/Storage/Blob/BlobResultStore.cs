using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Serverless.Storage.Blob;

/// <summary>Outputs under a blob container prefix (block blobs, overwritten on rewrite).</summary>
internal sealed class BlobResultStore(SourceUri location, BlobContainerClient container, StorageExecutor executor) : IResultStore
{
    public SourceUri Location { get; } = location;

    public Task WriteAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var blob = Blob(name);
        return executor.RunAsync(Describe(blob), ct =>
            blob.UploadAsync(new BinaryData(content), Options(blob.Name), ct), cancellationToken);
    }

    public async Task WriteAsync(string name, Func<Stream, CancellationToken, Task> writeContent, CancellationToken cancellationToken = default)
    {
        var blob = Blob(name);
        using var spool = await SpoolFile.WriteAsync(writeContent, cancellationToken).ConfigureAwait(false);
        await executor.RunAsync(Describe(blob), async ct =>
        {
            await using var body = spool.OpenRead();
            await blob.UploadAsync(body, Options(blob.Name), ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task ConcatenateAsync(string name, IReadOnlyList<string> sources, CancellationToken cancellationToken = default) =>
        new BlobConcatenation(executor, Blob(name).Name, container, Options(Blob(name).Name).HttpHeaders).RunAsync(sources.Select(s => Blob(s)).ToArray(), cancellationToken);

    public Task<byte[]> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        var blob = Blob(name);
        return executor.RunAsync(Describe(blob), async ct =>
            (await blob.DownloadContentAsync(ct).ConfigureAwait(false)).Value.Content.ToArray(), cancellationToken);
    }

    public Task<T> ReadAsync<T>(string name, Func<Stream, CancellationToken, Task<T>> read, CancellationToken cancellationToken = default)
    {
        var blob = Blob(name);
        return executor.RunAsync(Describe(blob), async ct =>
        {
            await using var content = (await blob.DownloadStreamingAsync(cancellationToken: ct).ConfigureAwait(false)).Value.Content;
            return await read(content, ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken = default)
    {
        var blob = Blob(name);
        return executor.RunAsync(Describe(blob), async ct =>
            (await blob.DownloadStreamingAsync(cancellationToken: ct).ConfigureAwait(false)).Value.Content, cancellationToken);
    }

    public Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        var blob = Blob(name);
        return executor.RunAsync(Describe(blob), async ct =>
        {
            if ((await blob.ExistsAsync(ct).ConfigureAwait(false)).Value)
            {
                return true;
            }

            // A missing container reads as a missing blob; say which it is.
            if (!(await container.ExistsAsync(ct).ConfigureAwait(false)).Value)
            {
                throw new RequestFailedException(404, "The container does not exist.", "ContainerNotFound", null);
            }

            return false;
        }, cancellationToken);
    }

    public Task DeleteAsync(IReadOnlyList<string> names, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(names.Count, IResultStore.DeleteBatch, nameof(names));
        // Azurite has no blob batch API: parallel single deletes, a few at a time.
        return Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (name, ct) =>
        {
            var blob = Blob(name);
            await executor.RunAsync(Describe(blob), c => blob.DeleteIfExistsAsync(cancellationToken: c), ct).ConfigureAwait(false);
        });
    }

    public async IAsyncEnumerable<string> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        do
        {
            var page = await executor.RunAsync(Location.ToString(), async ct =>
            {
                var full = Location.Prefix + prefix;
                var options = new GetBlobsOptions { Prefix = full.Length == 0 ? null : full };
                await foreach (var p in container.GetBlobsAsync(options, ct).AsPages(token).ConfigureAwait(false))
                {
                    return p;
                }

                return Page<BlobItem>.FromValues([], null, null!);
            }, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Values)
            {
                yield return item.Name[Location.Prefix.Length..];
            }

            token = string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken;
        }
        while (token is not null);
    }

    private BlobClient Blob(string name) => container.GetBlobClient(Location.Prefix + ResultNames.Validate(name));

    private static BlobUploadOptions Options(string blobName) =>
        new() { HttpHeaders = new BlobHttpHeaders { ContentType = ResultNames.ContentType(blobName) } };

    private string Describe(BlobClient blob) => $"azblob://{container.Name}/{blob.Name}";
}
