using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Serverless.Storage;

namespace Serverless.Jobs.Configuration;

/// <summary>
/// The task hub's storage account, as every component beside the engine reaches it (job index,
/// attempt ledger, unit progress, tenants, host keys, drop receipts and notifications): by the
/// <c>AzureWebJobsStorage</c> connection string, or by identity (<see cref="StorageIdentity"/>: a
/// token credential on the blob, queue and table endpoints). One per process; its clients are
/// made once and are thread-safe.
/// </summary>
public sealed class TaskHubAccount
{
    private readonly Uri blobUri, queueUri, tableUri;
    private readonly TokenCredential? credential;
    private readonly Action<ClientOptions>? configure;
    private readonly Lazy<TableServiceClient> tables;
    private readonly Lazy<BlobServiceClient> blobs;

    private TaskHubAccount(string? connectionString, Uri blob, Uri queue, Uri table, TokenCredential? credential, StorageIdentity? identity, Action<ClientOptions>? configure)
    {
        (ConnectionString, blobUri, queueUri, tableUri, this.credential, Identity, this.configure) = (connectionString, blob, queue, table, credential, identity, configure);
        tables = new Lazy<TableServiceClient>(() => CreateTables(null));
        blobs = new Lazy<BlobServiceClient>(CreateBlobs);
    }

    /// <summary>The connection string; null when the account is reached by identity.</summary>
    public string? ConnectionString { get; }

    /// <summary>The identity settings; null with a connection string (or a credential given directly).</summary>
    public StorageIdentity? Identity { get; }

    /// <summary>True when requests carry a token, not a shared key.</summary>
    public bool UsesToken => credential is not null;

    /// <summary>The account's name (from the connection string, or the blob endpoint's host or path).</summary>
    public string AccountName => Blobs.AccountName;

    /// <summary>The Table service.</summary>
    public TableServiceClient Tables => tables.Value;

    /// <summary>The Blob service (Azurite, on a loopback endpoint, gets the service version it knows).</summary>
    public BlobServiceClient Blobs => blobs.Value;

    /// <summary>A table of the account.</summary>
    public TableClient Table(string name) => Tables.GetTableClient(name);

    /// <summary>A table of the account through a client with <paramref name="options"/> (retries, transport).</summary>
    public TableClient Table(string name, TableClientOptions options) => CreateTables(options).GetTableClient(name);

    /// <summary>A blob container of the account.</summary>
    public BlobContainerClient Container(string name) => Blobs.GetBlobContainerClient(name);

    /// <summary>A queue of the account with <paramref name="options"/> (message encoding).</summary>
    public QueueClient Queue(string name, QueueClientOptions options)
    {
        configure?.Invoke(options);
        return credential is null
            ? new QueueClient(ConnectionString, name, options)
            : new QueueClient(new Uri(queueUri.AbsoluteUri.TrimEnd('/') + "/" + name), credential, options);
    }

    /// <summary>What the log may say: the endpoint and how requests authenticate, no secret.</summary>
    public override string ToString() => Identity?.ToString() ?? (credential is null ? $"{Blobs.Uri.Host} by connection string" : $"{blobUri.Host} with a token credential");

    /// <summary>The account of a connection string.</summary>
    public static TaskHubAccount FromConnectionString(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var probe = new BlobServiceClient(connectionString);
        return new TaskHubAccount(connectionString, probe.Uri, probe.Uri, probe.Uri, null, null, null);
    }

    /// <summary>The account by identity: its endpoints with its token credential.</summary>
    public static TaskHubAccount FromIdentity(StorageIdentity identity) =>
        new(null, identity.BlobServiceUri, identity.QueueServiceUri, identity.TableServiceUri, identity.Credential, identity, null);

    /// <summary>
    /// The account at these endpoints with <paramref name="credential"/>; <paramref name="configure"/>
    /// adjusts every client's options (a transport that trusts a private CA, in tests).
    /// </summary>
    internal static TaskHubAccount FromCredential(Uri blob, Uri queue, Uri table, TokenCredential credential, Action<ClientOptions>? configure = null) =>
        new(null, blob, queue, table, credential, null, configure);

    /// <summary>
    /// The account <c>AzureWebJobsStorage</c> names: its connection string, else its identity
    /// settings. Throws <see cref="InvalidOperationException"/> naming the setting when neither is
    /// set or the identity settings are incomplete.
    /// </summary>
    public static TaskHubAccount FromConfiguration(IConfiguration configuration) =>
        TaskHubSettings.Connection(configuration) is { } connection ? FromConnectionString(connection)
        : TaskHubSettings.Identity(configuration) is { } identity ? FromIdentity(identity)
        : throw new InvalidOperationException(
            $"{TaskHubSettings.ConnectionSetting} is not set: the task hub needs Azure Storage (a connection string, UseDevelopmentStorage=true for Azurite, " +
            $"or {TaskHubSettings.ConnectionSetting}__accountName with a managed identity)");

    private TableServiceClient CreateTables(TableClientOptions? options)
    {
        options ??= new TableClientOptions();
        configure?.Invoke(options);
        return credential is null ? new TableServiceClient(ConnectionString, options) : new TableServiceClient(tableUri, credential, options);
    }

    private BlobServiceClient CreateBlobs()
    {
        var loopback = credential is null ? new BlobServiceClient(ConnectionString).Uri.IsLoopback : blobUri.IsLoopback;
        // Azurite (loopback) rejects service versions newer than it knows.
        var options = loopback
            ? new BlobClientOptions(Enum.Parse<BlobClientOptions.ServiceVersion>("V" + BlobSettings.AzuriteServiceVersion.Replace('-', '_')))
            : new BlobClientOptions();
        configure?.Invoke(options);
        return credential is null ? new BlobServiceClient(ConnectionString, options) : new BlobServiceClient(blobUri, credential, options);
    }
}
