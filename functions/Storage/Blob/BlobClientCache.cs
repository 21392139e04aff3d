using System.Collections.Concurrent;
using Azure.Storage.Blobs;

namespace Serverless.Storage.Blob;

/// <summary>One <see cref="BlobServiceClient"/> per connection string for the whole process.</summary>
internal static class BlobClientCache
{
    private static readonly ConcurrentDictionary<(string Connection, string? Version), BlobServiceClient> Clients = new();

    public static BlobServiceClient Get(BlobSettings settings, RetrySettings retry)
    {
        if (string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            throw new StorageException(
                StorageErrorKind.InvalidRequest, "azblob://",
                "No Azure Blob connection string is configured (Storage:Blob:ConnectionString, AZURE_STORAGE_CONNECTION_STRING or AzureWebJobsStorage).");
        }

        return Clients.GetOrAdd((settings.ConnectionString, settings.ServiceVersion), _ => Create(settings, retry));
    }

    private static BlobServiceClient Create(BlobSettings settings, RetrySettings retry)
    {
        BlobServiceClient probe;
        try
        {
            probe = new BlobServiceClient(settings.ConnectionString);
        }
        catch (FormatException ex)
        {
            throw new StorageException(StorageErrorKind.InvalidRequest, "azblob://", "The Azure Blob connection string is malformed.", ex);
        }

        // Azurite (loopback) rejects service versions newer than it knows.
        var version = settings.ServiceVersion
            ?? (probe.Uri.IsLoopback ? BlobSettings.AzuriteServiceVersion : null);
        var options = version is null ? new BlobClientOptions() : new BlobClientOptions(ParseVersion(version));
        options.Retry.MaxRetries = 0;
        options.Retry.NetworkTimeout = retry.AttemptTimeout;
        return new BlobServiceClient(settings.ConnectionString, options);
    }

    private static BlobClientOptions.ServiceVersion ParseVersion(string version)
    {
        var name = "V" + version.Replace('-', '_');
        return Enum.TryParse<BlobClientOptions.ServiceVersion>(name, out var parsed)
            ? parsed
            : throw new StorageException(StorageErrorKind.InvalidRequest, "azblob://", $"Unknown blob service version '{version}'.");
    }
}
