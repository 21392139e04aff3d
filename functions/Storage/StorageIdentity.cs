using Azure.Core;
using Azure.Identity;

namespace Serverless.Storage;

/// <summary>
/// An Azure Storage account reached with a Microsoft Entra token instead of a connection string,
/// as the Functions host reads it: <c>{prefix}__accountName</c> (the service URIs follow from it),
/// or <c>{prefix}__blobServiceUri</c> / <c>__queueServiceUri</c> / <c>__tableServiceUri</c>;
/// <c>{prefix}__credential</c> (<c>managedidentity</c>, or absent for Azure.Identity's default
/// chain) and <c>{prefix}__clientId</c> (a user-assigned identity).
/// </summary>
public sealed class StorageIdentity
{
    private readonly Lazy<TokenCredential> credential;

    private StorageIdentity(string prefix, Uri blob, Uri queue, Uri table, string? credentialKind, string? clientId)
    {
        (Prefix, BlobServiceUri, QueueServiceUri, TableServiceUri, CredentialKind, ClientId) = (prefix, blob, queue, table, credentialKind, clientId);
        credential = new Lazy<TokenCredential>(CreateCredential);
    }

    /// <summary>The setting's name (e.g. <c>AzureWebJobsStorage</c>).</summary>
    public string Prefix { get; }

    /// <summary>The Blob service endpoint.</summary>
    public Uri BlobServiceUri { get; }

    /// <summary>The Queue service endpoint.</summary>
    public Uri QueueServiceUri { get; }

    /// <summary>The Table service endpoint.</summary>
    public Uri TableServiceUri { get; }

    /// <summary><c>managedidentity</c>, or null for the default chain.</summary>
    public string? CredentialKind { get; }

    /// <summary>The client id of a user-assigned managed identity; null for the system-assigned one.</summary>
    public string? ClientId { get; }

    /// <summary>The token credential (made once).</summary>
    public TokenCredential Credential => credential.Value;

    /// <summary>What the log may say: endpoints and credential kind, no secret.</summary>
    public override string ToString() =>
        $"{BlobServiceUri.Host} with {(CredentialKind ?? "the default Azure credential chain")}{(ClientId is null ? "" : $" (client id {ClientId})")}";

    /// <summary>
    /// The identity-based settings of <paramref name="prefix"/> read through <paramref name="setting"/>
    /// (a name like <c>AzureWebJobsStorage__accountName</c> in, its value or null out); null when
    /// none is set. Throws <see cref="InvalidOperationException"/> naming what is missing or wrong.
    /// </summary>
    public static StorageIdentity? Parse(string prefix, Func<string, string?> setting)
    {
        string? Value(string name) => setting($"{prefix}__{name}") is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        var account = Value("accountName");
        var blob = Value("blobServiceUri");
        var queue = Value("queueServiceUri");
        var table = Value("tableServiceUri");
        var kind = Value("credential");
        var clientId = Value("clientId");
        if (account is null && blob is null && queue is null && table is null)
        {
            return kind is null && clientId is null
                ? null
                : throw new InvalidOperationException($"{prefix}__credential / __clientId are set but not the account: set {prefix}__accountName (or {prefix}__blobServiceUri, __queueServiceUri and __tableServiceUri).");
        }

        if (account is not null && !System.Text.RegularExpressions.Regex.IsMatch(account, "^[a-z0-9]{3,24}$"))
            throw new InvalidOperationException($"{prefix}__accountName '{account}' is not a storage account name (3 to 24 lowercase letters and digits).");
        if (kind is not null && !string.Equals(kind, "managedidentity", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"{prefix}__credential '{kind}' is not supported: use 'managedidentity', or leave it unset for the default Azure credential chain.");

        Uri Endpoint(string? given, string service)
        {
            if (given is not null)
            {
                return Uri.TryCreate(given, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
                    ? uri
                    : throw new InvalidOperationException($"{prefix}__{service}ServiceUri '{given}' is not an http(s) URI.");
            }

            return account is not null
                ? new Uri($"https://{account}.{service}.core.windows.net")
                : throw new InvalidOperationException($"{prefix}__{service}ServiceUri is not set: with service URIs instead of {prefix}__accountName, the task hub needs all three (blob, queue, table).");
        }

        return new StorageIdentity(prefix, Endpoint(blob, "blob"), Endpoint(queue, "queue"), Endpoint(table, "table"), kind?.ToLowerInvariant(), clientId);
    }

    private TokenCredential CreateCredential() => CredentialKind == "managedidentity"
        ? new ManagedIdentityCredential(ClientId is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(ClientId))
        : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = ClientId });
}
