using System.Text.Json;
using Serverless.Storage;

namespace Serverless.Jobs.Pages.Inventories;

/// <summary>
/// An S3 Inventory's <c>manifest.json</c>: <c>sourceBucket</c> (the bucket listed),
/// <c>destinationBucket</c> (an ARN, <c>arn:aws:s3:::name</c>, where the data files are: the manifest's own bucket),
/// <c>fileFormat</c> (only CSV is read: ORC and Parquet are refused by name), <c>fileSchema</c> (the
/// columns of the header-less data files, e.g. "Bucket, Key, Size, LastModifiedDate, ETag") and
/// <c>files</c> (<c>key</c>, <c>size</c>, <c>MD5checksum</c> of each data file in the destination bucket).
/// </summary>
internal static class S3InventoryManifest
{
    private const string ArnPrefix = "arn:aws:s3:::";

    /// <summary>The inventory <paramref name="root"/> describes, read from <paramref name="manifest"/> in <paramref name="store"/>.</summary>
    public static InventoryManifest Parse(JsonElement root, string manifest, SourceUri store)
    {
        if (store.Kind != StorageKind.S3)
            throw InventoryManifest.Bad(manifest, "is an S3 Inventory manifest: it names buckets, so it is read from S3 (s3://bucket/.../manifest.json) only");
        var format = InventoryManifest.Text(root, "fileFormat") ?? throw InventoryManifest.Bad(manifest, "has no fileFormat");
        if (!format.Equals("CSV", StringComparison.OrdinalIgnoreCase))
            throw InventoryManifest.Bad(manifest, $"has fileFormat {format}: {format} inventories are not supported, only CSV (set the inventory's output format to CSV)");
        var sourceBucket = InventoryManifest.Text(root, "sourceBucket") is { Length: > 0 } bucket ? bucket : throw InventoryManifest.Bad(manifest, "has no sourceBucket");
        var schema = (InventoryManifest.Text(root, "fileSchema") ?? throw InventoryManifest.Bad(manifest, "has no fileSchema"))
            .Split(',', StringSplitOptions.TrimEntries);
        if (!schema.Contains("Key", StringComparer.OrdinalIgnoreCase))
            throw InventoryManifest.Bad(manifest, $"has a fileSchema without Key ({string.Join(", ", schema)})");
        // The data files lie in the destination bucket, the manifest's own: read there only, so a job reads
        // no file outside the bucket its manifest was allowed from (a manifest copied alone is refused).
        if (InventoryManifest.Text(root, "destinationBucket") is { Length: > 0 } arn
            && (arn.StartsWith(ArnPrefix, StringComparison.Ordinal) ? arn[ArnPrefix.Length..] : arn) is var destination && destination != store.Container)
            throw InventoryManifest.Bad(manifest, $"names destinationBucket {destination}, but lies in bucket {store.Container}: its data files are read beside it, in the destination bucket");
        var files = InventoryManifest.FileNames(root, manifest, "key").Select(key => $"s3://{store.Container}/{key}").ToList();
        return new InventoryManifest(StorageKind.S3, manifest, files, schema, sourceBucket);
    }
}
