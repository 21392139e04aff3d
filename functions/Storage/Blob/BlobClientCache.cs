using System.Collections.Concurrent;
using Azure.Storage.Blobs;

namespace Serverless.Storage.Blob;

/// <summary>One <see cref="BlobServiceClient"/> per connection string for the whole process.</summary>
internal static class BlobClientCache
{
    private static readonly ConcurrentDictionary<(string Connection, string? Version), BlobServiceClient> Clients = new();
    private static readonly ConcurrentDictionary<(Uri Endpoint, string? Version), BlobServiceClient> IdentityClients = new();

    public static BlobServiceClient Get(BlobSettings settings, RetrySettings retry)
    {
        if (string.IsNullOrWhiteSpace(settings.ConnectionString) && settings.Identity is { } identity)
            return IdentityClients.GetOrAdd((identity.BlobServiceUri, settings.ServiceVersion), _ => new BlobServiceClient(identity.BlobServiceUri, identity.Credential, Options(settings.ServiceVersion, identity.BlobServiceUri.IsLoopback, retry)));

        if (string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            throw new StorageException(
                StorageErrorKind.InvalidRequest, "azblob://",
                "No Azure Blob connection string is configured (Storage:Blob:ConnectionString, AZURE_STORAGE_CONNECTION_STRING or AzureWebJobsStorage), nor an identity-based account (AzureWebJobsStorage__accountName).");
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

        return new BlobServiceClient(settings.ConnectionString, Options(settings.ServiceVersion, probe.Uri.IsLoopback, retry));
    }

    private static BlobClientOptions Options(string? serviceVersion, bool loopback, RetrySettings retry)
    {
        // Azurite (loopback) rejects service versions newer than it knows.
        var version = serviceVersion ?? (loopback ? BlobSettings.AzuriteServiceVersion : null);
        var options = version is null ? new BlobClientOptions() : new BlobClientOptions(ParseVersion(version));
        options.Retry.MaxRetries = 0;
        options.Retry.NetworkTimeout = retry.AttemptTimeout;
        return options;
    }

    private static BlobClientOptions.ServiceVersion ParseVersion(string version)
    {
        var name = "V" + version.Replace('-', '_');
        return Enum.TryParse<BlobClientOptions.ServiceVersion>(name, out var parsed)
            ? parsed
            : throw new StorageException(StorageErrorKind.InvalidRequest, "azblob://", $"Unknown blob service version '{version}'.");
    }
}
