using Microsoft.Extensions.Configuration;
using Serverless.Storage;

namespace Serverless.Jobs.Configuration;

/// <summary>Builds the storage adapters' connections from configuration (environment or local.settings.json).</summary>
public static class StorageConnectionsFactory
{
    /// <summary>
    /// Whether <c>azblob://</c> locations fall back to the task hub's account when
    /// <c>AZURE_STORAGE_CONNECTION_STRING</c> is not set (default true, as before; tenants' jobs are
    /// held to patterns that name the account all the same, see <c>TenantPolicy</c>).
    /// </summary>
    public const string TaskHubFallbackSetting = "storage:blob:taskHubFallback";

    public static StorageConnections Create(IConfiguration configuration)
    {
        string? Setting(params string[] names) => names.Select(n => configuration[n]).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
        var dataAccount = Setting("AZURE_STORAGE_CONNECTION_STRING");
        var taskHubAccount = Setting(TaskHubSettings.ConnectionSetting);
        var taskHubFallback = dataAccount is null && (configuration.GetValue<bool?>(TaskHubFallbackSetting) ?? true);
        var fallback = taskHubFallback ? taskHubAccount : null;
        // Without a connection string: the account by identity, as the Functions host reads it.
        var identity = taskHubFallback && taskHubAccount is null ? TaskHubSettings.Identity(configuration) : null;
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
                ConnectionString = dataAccount ?? fallback,
                IsTaskHubAccount = ((dataAccount ?? fallback) is { } used && used == taskHubAccount) || identity is not null,
                Identity = identity,
            },
        };
    }
}
