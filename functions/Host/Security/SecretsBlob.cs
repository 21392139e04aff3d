using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Serverless.Storage;

namespace Serverless.Host.Security;

/// <summary>
/// The host keys kept in the task hub's storage in the shape Azure Functions keeps them, in a
/// container of our own (<c>azure-webjobs-secrets</c> belongs to a Functions host that may share the
/// storage account): <c>serverless-secrets/{hub}/host.json</c>. The first process to start creates it
/// (create-if-absent, so two processes starting together agree on one set); later ones read it.
/// </summary>
internal sealed class SecretsBlob(Serverless.Jobs.Configuration.TaskHubAccount account, string hubName)
{
    public const string ContainerName = "serverless-secrets";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Where the keys live, for the log.</summary>
    public string Location => $"{ContainerName}/{BlobName}";

    private string BlobName => $"{hubName.ToLowerInvariant()}/host.json";

    /// <summary>Reads the keys, creating them on first use.</summary>
    public async Task<(string Master, Dictionary<string, string> FunctionKeys, bool Created)> ReadOrCreateAsync(CancellationToken cancellationToken)
    {
        var container = account.Container(ContainerName);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var blob = container.GetBlobClient(BlobName);
        var created = false;
        var fresh = new SecretsDocument(new SecretEntry("master", HostKeys.NewKey()), [new SecretEntry("default", HostKeys.NewKey())]);
        try
        {
            await blob.UploadAsync(BinaryData.FromObjectAsJson(fresh, Json),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
            created = true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Another process (or an earlier start) wrote it first: use theirs.
        }

        var content = await blob.DownloadContentAsync(cancellationToken);
        var document = content.Value.Content.ToObjectFromJson<SecretsDocument>(Json)
            ?? throw new InvalidOperationException($"the keys blob {Location} is empty");
        if (document.MasterKey is null || string.IsNullOrEmpty(document.MasterKey.Value))
            throw new InvalidOperationException($"the keys blob {Location} has no masterKey");
        var functions = (document.FunctionKeys ?? []).Where(k => !string.IsNullOrEmpty(k.Value))
            .ToDictionary(k => k.Name, k => k.Value, StringComparer.Ordinal);
        return (document.MasterKey.Value, functions, created);
    }

    private sealed record SecretsDocument(
        [property: JsonPropertyName("masterKey")] SecretEntry? MasterKey,
        [property: JsonPropertyName("functionKeys")] List<SecretEntry>? FunctionKeys);

    private sealed record SecretEntry(string Name, string Value);
}
