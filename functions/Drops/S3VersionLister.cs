using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using Serverless.Storage;
using Serverless.Storage.S3;

namespace Serverless.Drops;

/// <summary>ListObjectsV2 and HEAD with ETags, on the storage library's shared S3 client (the one that keeps the SDK's own retries).</summary>
internal sealed class S3VersionLister(SourceUri location, S3Settings settings) : IVersionLister
{
    public async IAsyncEnumerable<IReadOnlyList<ObjectVersion>> ListPagesAsync(int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var client = S3ClientCache.GetWithSdkRetries(settings);
        string? token = null;
        do
        {
            var response = await client.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = location.Container,
                Prefix = location.Prefix,
                MaxKeys = pageSize,
                ContinuationToken = token,
            }, cancellationToken).ConfigureAwait(false);
            yield return (response.S3Objects ?? []).Select(o => new ObjectVersion(o.Key, VersionListerFactory.Normalize(o.ETag)) { Modified = o.LastModified is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at.ToUniversalTime(), DateTimeKind.Utc)) : null }).ToArray();
            token = response.IsTruncated == true ? response.NextContinuationToken : null;
        }
        while (token is not null);
    }

    public async Task<string?> CurrentETagAsync(string key, CancellationToken cancellationToken = default)
    {
        try
        {
            var head = await S3ClientCache.GetWithSdkRetries(settings).GetObjectMetadataAsync(location.Container, key, cancellationToken).ConfigureAwait(false);
            return VersionListerFactory.Normalize(head.ETag);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
