using System.Text.Json;
using Serverless.BatchInference.Contracts;
using Serverless.Storage;

namespace Serverless.Jobs.Pages.Inventories;

/// <summary>
/// A storage inventory given as a job's manifest: its data files (CSV, gzip-compressed where the name
/// ends in <c>.gz</c>) and, for an S3 Inventory, the columns its rows have (its files have no header;
/// an Azure Blob inventory's files start with one). Read from an inventory's <c>manifest.json</c>
/// (S3 Inventory's <c>manifest.json</c>, an Azure Blob inventory's <c>&lt;rule&gt;-manifest.json</c>),
/// told apart by their fields, or made for a single Azure Blob inventory CSV.
/// </summary>
/// <param name="Kind">Whose inventory it is: S3 Inventory or Azure Blob inventory.</param>
/// <param name="Manifest">The location given as the job's manifest (errors name it).</param>
/// <param name="Files">The data files, in the manifest's order, as full locations.</param>
/// <param name="Schema">An S3 Inventory's <c>fileSchema</c> columns; null where each file has a header row.</param>
/// <param name="SourceBucket">The bucket an S3 Inventory lists (rows without a Bucket column are of it).</param>
internal sealed record InventoryManifest(StorageKind Kind, string Manifest, IReadOnlyList<string> Files, IReadOnlyList<string>? Schema, string? SourceBucket = null)
{
    /// <summary>Whether <paramref name="manifest"/> names an inventory's manifest (<c>manifest.json</c> or <c>&lt;rule&gt;-manifest.json</c>).</summary>
    public static bool IsManifestName(string manifest) =>
        manifest.EndsWith("/manifest.json", StringComparison.OrdinalIgnoreCase) || manifest.Equals("manifest.json", StringComparison.OrdinalIgnoreCase)
        || manifest.EndsWith("-manifest.json", StringComparison.OrdinalIgnoreCase);

    /// <summary>A single Azure Blob inventory CSV given as the manifest (its header is read with its rows).</summary>
    public static InventoryManifest SingleAzureCsv(string manifest) => new(StorageKind.AzureBlob, manifest, [manifest], null);

    /// <summary>
    /// Reads and checks the inventory manifest at <paramref name="manifest"/>: an S3 Inventory manifest
    /// (<c>sourceBucket</c>, <c>fileFormat</c>, <c>fileSchema</c>, <c>files[].key</c>) from S3, an Azure Blob
    /// inventory manifest (<c>destinationContainer</c>, <c>files[].blob</c>, <c>ruleDefinition</c>) from Azure Blob.
    /// Anything else fails the job (<see cref="JobConfigurationException"/>) saying what is wrong.
    /// </summary>
    public static Task<InventoryManifest> ReadAsync(JobResources resources, string manifest, CancellationToken cancellationToken) =>
        ReadAsync(resources.Results, manifest, cancellationToken);

    /// <inheritdoc cref="ReadAsync(JobResources, string, CancellationToken)"/>
    /// <param name="store">The store of a folder's location (the manifest's is read through it).</param>
    public static async Task<InventoryManifest> ReadAsync(Func<string, IResultStore> store, string manifest, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            var (folder, name) = Split(manifest);
            bytes = await store(folder).ReadAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.ObjectNotFound)
        {
            throw new JobConfigurationException($"the manifest {manifest} is missing: {e.Message}", e);
        }
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw Bad(manifest, $"is not JSON: {e.Message}");
        }
        if (root.ValueKind != JsonValueKind.Object)
            throw Bad(manifest, "is not a JSON object");
        var location = SourceUri.Parse(manifest);
        if (root.TryGetProperty("sourceBucket", out _) || root.TryGetProperty("fileSchema", out _))
            return S3InventoryManifest.Parse(root, manifest, location);
        if (root.TryGetProperty("destinationContainer", out _) || root.TryGetProperty("ruleDefinition", out _))
            return AzureInventoryManifest.Parse(root, manifest, location);
        throw Bad(manifest, "is neither an S3 Inventory manifest (sourceBucket, fileFormat, fileSchema, files) nor an Azure Blob inventory manifest (destinationContainer, files, ruleDefinition)");
    }

    /// <summary>The data files the manifest's <c>files</c> array lists, each by its string property <paramref name="name"/>.</summary>
    internal static List<string> FileNames(JsonElement root, string manifest, string name)
    {
        if (!root.TryGetProperty("files", out var files) || files.ValueKind != JsonValueKind.Array)
            throw Bad(manifest, "has no files array");
        var names = new List<string>();
        foreach (var file in files.EnumerateArray())
        {
            if (file.ValueKind != JsonValueKind.Object || !file.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } text)
                throw Bad(manifest, $"has an entry of files without a '{name}' (files[{names.Count}])");
            if (text.Contains('\0') || text.Split('/').Contains(".."))
                throw Bad(manifest, $"names a data file with NUL or '..' (files[{names.Count}])");
            names.Add(text);
        }
        if (names.Count == 0)
            throw Bad(manifest, "lists no data files");
        return names;
    }

    /// <summary>A location's folder and its last name (<c>s3://b/x/manifest.json</c>: <c>s3://b/x</c>, <c>manifest.json</c>).</summary>
    public static (string Folder, string Name) Split(string location)
    {
        var slash = location.LastIndexOf('/');
        return (location[..Math.Max(slash, 0)], location[(slash + 1)..]);
    }

    /// <summary>A string property of <paramref name="root"/>, or null.</summary>
    internal static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    internal static JobConfigurationException Bad(string manifest, string what) => new($"the inventory manifest {manifest} {what}");
}
