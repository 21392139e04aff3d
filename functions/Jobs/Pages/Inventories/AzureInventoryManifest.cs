using System.Text.Json;
using Serverless.Storage;

namespace Serverless.Jobs.Pages.Inventories;

/// <summary>
/// An Azure Blob inventory's <c>&lt;rule&gt;-manifest.json</c>: <c>destinationContainer</c> (where the data
/// files are: the manifest's own container), <c>files</c> (<c>blob</c>, <c>size</c> of each CSV), <c>status</c> (a run that has not
/// <c>Succeeded</c> is refused: its files may be partial) and <c>ruleDefinition</c> (<c>format</c>: only
/// csv is read; <c>objectType</c>: blob, a container inventory lists no blobs; <c>schemaFields</c>).
/// </summary>
internal static class AzureInventoryManifest
{
    /// <summary>
    /// The schema fields an Azure Blob inventory writes for blobs (as its docs list them): a CSV whose
    /// header is <c>Name</c> followed by these only is read as an inventory, not as a CSV manifest.
    /// </summary>
    private static readonly HashSet<string> Fields = new(StringComparer.OrdinalIgnoreCase)
    {
        "Name", "Creation-Time", "Last-Modified", "Content-Length", "Content-MD5", "BlobType", "AccessTier", "AccessTierChangeTime",
        "AccessTierInferred", "Tags", "Expiry-Time", "hdi_isfolder", "Owner", "Group", "Permissions", "Acl", "Snapshot", "VersionId",
        "IsCurrentVersion", "Metadata", "LastAccessTime", "Etag", "ContentType", "Content-Type", "ContentEncoding", "ContentLanguage",
        "ContentCRC64", "CacheControl", "ContentDisposition", "LeaseStatus", "LeaseState", "LeaseDuration", "ServerEncrypted", "Deleted",
        "DeletionId", "DeletedTime", "RemainingRetentionDays", "ImmutabilityPolicyUntilDate", "ImmutabilityPolicyMode", "LegalHold",
        "CopyId", "CopyStatus", "CopySource", "CopyProgress", "CopyCompletionTime", "CopyStatusDescription", "CustomerProvidedKeySha256",
        "RehydratePriority", "ArchiveStatus", "XmsBlobSequenceNumber", "x-ms-blob-sequence-number", "EncryptionScope", "IncrementalCopy",
        "TagCount",
    };

    /// <summary>Whether a CSV header is an Azure Blob inventory's: <c>Name</c> first, then inventory schema fields only.</summary>
    public static bool IsInventoryHeader(IReadOnlyList<string> header) =>
        header.Count > 0 && header[0] == "Name" && header.All(Fields.Contains);

    /// <summary>The inventory <paramref name="root"/> describes, read from <paramref name="manifest"/> in <paramref name="store"/>.</summary>
    public static InventoryManifest Parse(JsonElement root, string manifest, SourceUri store)
    {
        if (store.Kind != StorageKind.AzureBlob)
            throw InventoryManifest.Bad(manifest, "is an Azure Blob inventory manifest: its blob names start with their container, so it is read from Azure Blob (azblob://container/.../<rule>-manifest.json) only");
        if (InventoryManifest.Text(root, "status") is { } status && !status.Equals("Succeeded", StringComparison.OrdinalIgnoreCase))
            throw InventoryManifest.Bad(manifest, $"has status {status}: only a Succeeded inventory run is read (its files may be partial)");
        if (root.TryGetProperty("ruleDefinition", out var rule) && rule.ValueKind == JsonValueKind.Object)
        {
            if (InventoryManifest.Text(rule, "format") is { } format && !format.Equals("csv", StringComparison.OrdinalIgnoreCase))
                throw InventoryManifest.Bad(manifest, $"has format {format}: {format} inventories are not supported, only csv (set the rule's format to csv)");
            if (InventoryManifest.Text(rule, "objectType") is { } objectType && !objectType.Equals("blob", StringComparison.OrdinalIgnoreCase))
                throw InventoryManifest.Bad(manifest, $"has objectType {objectType}: a {objectType} inventory lists no blobs to classify");
        }
        // The data files are read beside the manifest only, in its container (see S3InventoryManifest).
        if (InventoryManifest.Text(root, "destinationContainer") is { Length: > 0 } named && named != store.Container)
            throw InventoryManifest.Bad(manifest, $"names destinationContainer {named}, but lies in container {store.Container}: its data files are read beside it, in the destination container");
        var files = InventoryManifest.FileNames(root, manifest, "blob").Select(blob => $"azblob://{store.Container}/{blob}").ToList();
        return new InventoryManifest(StorageKind.AzureBlob, manifest, files, null);
    }
}
