using Serverless.Storage.Blob;
using Serverless.Storage.Local;
using Serverless.Storage.S3;

namespace Serverless.Storage;

/// <summary>The executor (retry pipeline + error mapping) of each kind of storage.</summary>
internal static class Executors
{
    public static StorageExecutor S3(StorageConnections c) => new(c.Retry, S3Errors.Classify, "bucket");

    public static StorageExecutor Blob(StorageConnections c) => new(c.Retry, BlobErrors.Classify, "container");

    // Local I/O errors other than not-found/denied are rarely transient; retry them once at most.
    public static StorageExecutor Local(StorageConnections c) =>
        new(new RetrySettings { MaxRetries = Math.Min(1, c.Retry.MaxRetries), BaseDelay = c.Retry.BaseDelay, AttemptTimeout = c.Retry.AttemptTimeout },
            LocalErrors.Classify, "folder");
}
