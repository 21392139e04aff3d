namespace Serverless.Storage;

/// <summary>The kinds of storage a <see cref="SourceUri"/> can name.</summary>
public enum StorageKind
{
    /// <summary>S3-compatible object storage: <c>s3://bucket/prefix</c>.</summary>
    S3,

    /// <summary>Azure Blob Storage: <c>azblob://container/prefix</c>.</summary>
    AzureBlob,

    /// <summary>A folder on the local file system: a path or <c>file:///path</c>.</summary>
    Local,
}
