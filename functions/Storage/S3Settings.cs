namespace Serverless.Storage;

/// <summary>
/// How to reach S3-compatible storage. Leave <see cref="ServiceUrl"/> empty for AWS itself;
/// set it for MinIO or s3rver (path-style addressing is used then).
/// </summary>
public sealed class S3Settings
{
    /// <summary>Endpoint such as <c>http://127.0.0.1:4568</c>; empty for AWS S3.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Access key id; empty to use the SDK's default credential chain.</summary>
    public string? AccessKey { get; set; }

    /// <summary>Secret access key.</summary>
    public string? SecretKey { get; set; }

    /// <summary>Region used for signing (and for AWS endpoints); default <c>us-east-1</c>.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Path-style addressing (<c>host/bucket/key</c>); needed by MinIO and s3rver.</summary>
    public bool ForcePathStyle { get; set; } = true;
}
