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
public static class S3ClientCache
{
    private static readonly ConcurrentDictionary<(string? Url, string? Key, string? Secret, string Region, bool PathStyle, bool SdkRetries), AmazonS3Client> Clients = new();

    static S3ClientCache()
    {
        // SDK v4 returns null for empty lists unless asked otherwise.
        AWSConfigs.InitializeCollections = true;
    }

    /// <summary>The client for calls made through <see cref="StorageExecutor"/>: the SDK's own retries off.</summary>
    internal static AmazonS3Client Get(S3Settings settings, RetrySettings retry) =>
        Clients.GetOrAdd(Key(settings, sdkRetries: false), _ => Create(settings, retry));

    /// <summary>The client for callers that do not go through the storage library's retry policy: the SDK retries and times out.</summary>
    public static AmazonS3Client GetWithSdkRetries(S3Settings settings) =>
        Clients.GetOrAdd(Key(settings, sdkRetries: true), _ => Create(settings, null));

    private static (string?, string?, string?, string, bool, bool) Key(S3Settings s, bool sdkRetries) =>
        (s.ServiceUrl, s.AccessKey, s.SecretKey, s.Region, s.ForcePathStyle, sdkRetries);

    private static AmazonS3Client Create(S3Settings settings, RetrySettings? retry)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = settings.ForcePathStyle,
            // MinIO and s3rver reject or mangle the default flexible checksums (aws/aws-sdk-net #3615).
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (retry is not null)
        {
            // StorageExecutor is the one retry policy.
            config.MaxErrorRetry = 0;
            config.Timeout = retry.AttemptTimeout;
        }

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
