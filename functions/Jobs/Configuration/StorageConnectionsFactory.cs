using Microsoft.Extensions.Configuration;
using Serverless.Storage;

namespace Serverless.Jobs.Configuration;

/// <summary>Builds the storage adapters' connections from configuration (environment or local.settings.json).</summary>
public static class StorageConnectionsFactory
{
    public static StorageConnections Create(IConfiguration configuration)
    {
        string? Setting(params string[] names) => names.Select(n => configuration[n]).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
        return new StorageConnections
        {
            S3 = new S3Settings
            {
                ServiceUrl = Setting("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
                AccessKey = Setting("AWS_ACCESS_KEY_ID"),
                SecretKey = Setting("AWS_SECRET_ACCESS_KEY"),
                Region = Setting("AWS_REGION", "AWS_DEFAULT_REGION") ?? "us-east-1",
            },
            Blob = new BlobSettings
            {
                ConnectionString = Setting("AZURE_STORAGE_CONNECTION_STRING", TaskHubSettings.ConnectionSetting),
                // Without a connection string: the account by identity, as the Functions host reads it.
                Identity = Setting("AZURE_STORAGE_CONNECTION_STRING", TaskHubSettings.ConnectionSetting) is null ? TaskHubSettings.Identity(configuration) : null,
            },
        };
    }
}
