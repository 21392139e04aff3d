using System.Collections.Concurrent;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace Serverless.Storage.S3;

/// <summary>
/// One <see cref="AmazonS3Client"/> per distinct endpoint and credentials for the whole
/// process: clients are thread-safe and own an HTTP connection pool, so making one per call
/// would exhaust sockets.
/// </summary>
internal static class S3ClientCache
{
    private static readonly ConcurrentDictionary<(string? Url, string? Key, string? Secret, string Region, bool PathStyle), AmazonS3Client> Clients = new();

    static S3ClientCache()
    {
        // SDK v4 returns null for empty lists unless asked otherwise.
        AWSConfigs.InitializeCollections = true;
    }

    public static AmazonS3Client Get(S3Settings settings, RetrySettings retry) =>
        Clients.GetOrAdd(
            (settings.ServiceUrl, settings.AccessKey, settings.SecretKey, settings.Region, settings.ForcePathStyle),
            _ => Create(settings, retry));

    private static AmazonS3Client Create(S3Settings settings, RetrySettings retry)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = settings.ForcePathStyle,
            // MinIO and s3rver reject or mangle the default flexible checksums (aws/aws-sdk-net #3615).
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            // StorageExecutor is the one retry policy.
            MaxErrorRetry = 0,
            Timeout = retry.AttemptTimeout,
        };
        if (string.IsNullOrWhiteSpace(settings.ServiceUrl))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(settings.Region);
        }
        else
        {
            config.ServiceURL = settings.ServiceUrl;
            config.AuthenticationRegion = settings.Region;
        }

        return string.IsNullOrEmpty(settings.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(settings.AccessKey, settings.SecretKey ?? string.Empty), config);
    }
}
