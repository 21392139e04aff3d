using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;

namespace Serverless.Storage.S3;

/// <summary>Images under an S3 prefix, listed with ListObjectsV2 page by page.</summary>
internal sealed class S3ImageSource(SourceUri location, IAmazonS3 client, StorageExecutor executor, ExtensionFilter filter) : IImageSource
{
    public SourceUri Location { get; } = location;

    public async IAsyncEnumerable<SourcePage> ListPagesAsync(
        string? continuationToken, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var token = continuationToken;
        do
        {
            var request = new ListObjectsV2Request
            {
                BucketName = Location.Container,
                Prefix = Location.Prefix,
                MaxKeys = pageSize,
                ContinuationToken = string.IsNullOrEmpty(token) ? null : token,
            };
            var response = await executor.RunAsync(
                Location.ToString(), ct => client.ListObjectsV2Async(request, ct), cancellationToken).ConfigureAwait(false);
            var keys = new List<string>(response.S3Objects?.Count ?? 0);
            var objects = new List<SourceObject>(keys.Capacity);
            var skipped = 0;
            foreach (var obj in response.S3Objects ?? [])
            {
                if (filter.Accepts(obj.Key))
                {
                    keys.Add(obj.Key);
                    objects.Add(new SourceObject(obj.Key, obj.Size, obj.ETag, obj.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime(), TimeSpan.Zero) : null));
                }
                else
                {
                    skipped++;
                }
            }

            token = response.IsTruncated == true ? response.NextContinuationToken : null;
            yield return new SourcePage(keys, token, skipped) { Objects = objects };
        }
        while (token is not null);
    }

    public Task<byte[]> ReadAllBytesAsync(string key, long maxBytes, CancellationToken cancellationToken = default) =>
        executor.RunAsync(Describe(key), async ct =>
        {
            using var response = await client.GetObjectAsync(Location.Container, key, ct).ConfigureAwait(false);
            return await S3ObjectBody.ReadAllAsync(response, maxBytes, ct).ConfigureAwait(false);
        }, cancellationToken);

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default) =>
        executor.RunAsync(Describe(key), async ct =>
        {
            var response = await client.GetObjectAsync(Location.Container, key, ct).ConfigureAwait(false);
            return (Stream)new OwningStream(response.ResponseStream, response);
        }, cancellationToken);

    private string Describe(string key) => $"s3://{Location.Container}/{key}";
}
