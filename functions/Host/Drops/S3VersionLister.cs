using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Serverless.Storage;

namespace Serverless.Host.Drops;

/// <summary>ListObjectsV2 with ETags. Configured like the storage library's client (path style, checksums only when required).</summary>
internal sealed class S3VersionLister(SourceUri location, S3Settings settings) : IVersionLister
{
    private static readonly ConcurrentDictionary<(string?, string?, string?, string, bool), AmazonS3Client> Clients = new();

    public async IAsyncEnumerable<IReadOnlyList<ObjectVersion>> ListPagesAsync(int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var client = Client(settings);
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
            yield return (response.S3Objects ?? []).Select(o => new ObjectVersion(o.Key, VersionListerFactory.Normalize(o.ETag))).ToArray();
            token = response.IsTruncated == true ? response.NextContinuationToken : null;
        }
        while (token is not null);
    }

    public async Task<string?> CurrentETagAsync(string key, CancellationToken cancellationToken = default)
    {
        try
        {
            var head = await Client(settings).GetObjectMetadataAsync(location.Container, key, cancellationToken).ConfigureAwait(false);
            return VersionListerFactory.Normalize(head.ETag);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static AmazonS3Client Client(S3Settings s) => Clients.GetOrAdd((s.ServiceUrl, s.AccessKey, s.SecretKey, s.Region, s.ForcePathStyle), _ =>
    {
        AWSConfigs.InitializeCollections = true;
        var config = new AmazonS3Config
        {
            ForcePathStyle = s.ForcePathStyle,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (string.IsNullOrWhiteSpace(s.ServiceUrl))
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(s.Region);
        else
        {
            config.ServiceURL = s.ServiceUrl;
            config.AuthenticationRegion = s.Region;
        }
        return string.IsNullOrEmpty(s.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(s.AccessKey, s.SecretKey ?? ""), config);
    });
}
