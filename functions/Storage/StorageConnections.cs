namespace Serverless.Storage;

/// <summary>
/// Endpoints and credentials for every kind of storage, plus the shared retry and listing
/// settings. Bind it from configuration, or read it from the environment with
/// <see cref="FromEnvironment"/>.
/// </summary>
public sealed class StorageConnections
{
    /// <summary>S3-compatible storage.</summary>
    public S3Settings S3 { get; set; } = new();

    /// <summary>Azure Blob Storage.</summary>
    public BlobSettings Blob { get; set; } = new();

    /// <summary>Retries of transient errors.</summary>
    public RetrySettings Retry { get; set; } = new();

    /// <summary>
    /// Extensions (with the dot, any case) that a source lists; keys with other extensions
    /// are skipped. Null or empty lists every key.
    /// </summary>
    public IReadOnlyCollection<string>? ImageExtensions { get; set; } = DefaultImageExtensions;

    /// <summary>The image formats the inference decoder reads.</summary>
    public static IReadOnlyCollection<string> DefaultImageExtensions { get; } =
        [".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp"];

    /// <summary>
    /// The same connections (the same clients) with no extension filter: a job lists every key,
    /// so that a file the decoder does not read gets a row saying so instead of vanishing.
    /// </summary>
    public StorageConnections EveryKey() => new() { S3 = S3, Blob = Blob, Retry = Retry, ImageExtensions = null };

    /// <summary>
    /// Reads AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL), AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY, AWS_REGION (or AWS_DEFAULT_REGION), and the blob connection
    /// string from AZURE_STORAGE_CONNECTION_STRING (or AzureWebJobsStorage).
    /// </summary>
    public static StorageConnections FromEnvironment()
    {
        static string? Env(params string[] names) =>
            names.Select(Environment.GetEnvironmentVariable).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

        return new StorageConnections
        {
            S3 = new S3Settings
            {
                ServiceUrl = Env("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
                AccessKey = Env("AWS_ACCESS_KEY_ID"),
                SecretKey = Env("AWS_SECRET_ACCESS_KEY"),
                Region = Env("AWS_REGION", "AWS_DEFAULT_REGION") ?? "us-east-1",
            },
            Blob = new BlobSettings
            {
                ConnectionString = Env("AZURE_STORAGE_CONNECTION_STRING", "AzureWebJobsStorage"),
            },
        };
    }
}
