namespace Serverless.Storage;

/// <summary>How to reach Azure Blob Storage.</summary>
public sealed class BlobSettings
{
    /// <summary>
    /// A storage connection string, or <c>UseDevelopmentStorage=true</c> for Azurite on its
    /// default ports.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>An account reached with a token (<see cref="StorageIdentity"/>) when there is no connection string.</summary>
    public StorageIdentity? Identity { get; set; }

    /// <summary>
    /// True when <see cref="ConnectionString"/> is the task hub's own account (<c>AzureWebJobsStorage</c>,
    /// used because no account of the data was given): a tenant's job reads it only where the
    /// tenant's pattern names that account.
    /// </summary>
    public bool IsTaskHubAccount { get; set; }

    /// <summary>
    /// Blob service version to speak, e.g. <c>2026-06-06</c>. Empty: the SDK's newest for
    /// cloud endpoints, and <see cref="AzuriteServiceVersion"/> for loopback endpoints, since
    /// Azurite rejects versions newer than it knows (Azure/Azurite #2562).
    /// </summary>
    public string? ServiceVersion { get; set; }

    /// <summary>The newest blob service version Azurite 3.37 accepts.</summary>
    public const string AzuriteServiceVersion = "2026-06-06";
}
