using System.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>
/// The one offload path: every persisted payload (queue message, history event, instance input,
/// output, custom status, failure) whose UTF-8 form is over one threshold is written to the
/// payload container and referenced by blob name. Blobs are named under the instance's prefix,
/// so purging an instance deletes its payloads with one listing.
/// </summary>
internal sealed class LargePayloadStore(BlobContainerClient container, int thresholdBytes)
{
    /// <summary>Suffix of the table property holding the blob name of an offloaded property.</summary>
    public const string BlobSuffix = "Blob";

    public int ThresholdBytes => thresholdBytes;

    /// <summary>Keeps <paramref name="text"/> inline when small, else uploads it.</summary>
    public async Task<StoredPayload> StoreAsync(string instanceId, string text, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length <= thresholdBytes)
            return new StoredPayload(bytes, null);
        var name = $"{TableKeys.Escape(instanceId)}/{Guid.NewGuid():N}";
        await container.GetBlobClient(name).UploadAsync(new BinaryData(bytes), overwrite: true, cancellationToken).ConfigureAwait(false);
        return new StoredPayload(null, name);
    }

    /// <summary>Reads back what <see cref="StoreAsync"/> stored.</summary>
    public async Task<string> LoadAsync(StoredPayload payload, CancellationToken cancellationToken)
    {
        if (payload.Inline is not null)
            return Encoding.UTF8.GetString(payload.Inline);
        var content = await container.GetBlobClient(payload.BlobName).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
        return content.Value.Content.ToString();
    }

    /// <summary>Stores <paramref name="text"/> (if not null) as property <paramref name="name"/> of <paramref name="entity"/>.</summary>
    public async Task WritePropertyAsync(TableEntity entity, string name, string? text, string instanceId, CancellationToken cancellationToken)
    {
        if (text is null)
            return;
        var stored = await StoreAsync(instanceId, text, cancellationToken).ConfigureAwait(false);
        if (stored.Inline is not null)
            entity[name] = stored.Inline;
        else
            entity[name + BlobSuffix] = stored.BlobName;
    }

    /// <summary>Reads property <paramref name="name"/> written by <see cref="WritePropertyAsync"/>; null when absent.</summary>
    public async Task<string?> ReadPropertyAsync(TableEntity entity, string name, CancellationToken cancellationToken)
    {
        if (entity.TryGetValue(name, out var inline) && inline is byte[] bytes)
            return Encoding.UTF8.GetString(bytes);
        if (entity.TryGetValue(name + BlobSuffix, out var blob) && blob is string blobName)
            return await LoadAsync(new StoredPayload(null, blobName), cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>Deletes every payload of an instance.</summary>
    public async Task DeleteInstanceAsync(string instanceId, CancellationToken cancellationToken)
    {
        var prefix = TableKeys.Escape(instanceId) + "/";
        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await container.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
            }
        }
    }
}

/// <summary>A payload as stored: inline UTF-8 bytes, or the name of the blob holding them.</summary>
internal readonly record struct StoredPayload(byte[]? Inline, string? BlobName);
