using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Azure.Storage.Blobs;
using Serverless.TestSupport;

namespace Serverless.Storage.Tests.Support;

/// <summary>Connections and raw SDK clients for the emulators, independent of the code under test.</summary>
internal static class Emulators
{
    public static StorageConnections Connections(S3rverFixture s3, RetrySettings? retry = null) => new()
    {
        S3 = new S3Settings { ServiceUrl = s3.ServiceUrl, AccessKey = s3.AccessKey, SecretKey = s3.SecretKey },
        Retry = retry ?? new RetrySettings(),
    };

    public static StorageConnections Connections(AzuriteFixture azurite, RetrySettings? retry = null) => new()
    {
        Blob = new BlobSettings { ConnectionString = azurite.ConnectionString },
        Retry = retry ?? new RetrySettings(),
    };

    /// <summary>A raw S3 client set up the way s3rver needs; uploads must still turn chunk encoding off.</summary>
    public static AmazonS3Client RawS3(S3rverFixture s3)
    {
        AWSConfigs.InitializeCollections = true;
        return new AmazonS3Client(
            new BasicAWSCredentials(s3.AccessKey, s3.SecretKey),
            new AmazonS3Config
            {
                ServiceURL = s3.ServiceUrl,
                ForcePathStyle = true,
                AuthenticationRegion = "us-east-1",
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            });
    }

    public static async Task<string> NewBucketAsync(IAmazonS3 s3)
    {
        var name = "b-" + Guid.NewGuid().ToString("N")[..20];
        await s3.PutBucketAsync(name);
        return name;
    }

    public static Task PutAsync(IAmazonS3 s3, string bucket, string key, byte[] content) =>
        s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            InputStream = new MemoryStream(content),
            UseChunkEncoding = false,
        });

    public static async Task<byte[]> GetAsync(IAmazonS3 s3, string bucket, string key)
    {
        using var response = await s3.GetObjectAsync(bucket, key);
        using var memory = new MemoryStream();
        await response.ResponseStream.CopyToAsync(memory);
        return memory.ToArray();
    }

    /// <summary>Uploads many small objects with bounded concurrency.</summary>
    public static Task PutManyAsync(IAmazonS3 s3, string bucket, IEnumerable<string> keys) =>
        Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, _) =>
            await PutAsync(s3, bucket, key, System.Text.Encoding.UTF8.GetBytes(key)));

    public static async Task<BlobContainerClient> NewContainerAsync(AzuriteFixture azurite)
    {
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("c-" + Guid.NewGuid().ToString("N")[..20]);
        await container.CreateAsync();
        return container;
    }

    public static Task PutManyAsync(BlobContainerClient container, IEnumerable<string> keys) =>
        Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, ct) =>
            await container.UploadBlobAsync(key, BinaryData.FromString(key), ct));
}
