using System.Globalization;
using System.Net;
using System.Text.Json;
using Serverless.Storage;

namespace Serverless.Jobs.Pages.Inventories;

/// <summary>
/// Where an inventory row's fields are, and what the row names: its object (a key of the manifest's
/// bucket or container, or a full location in another one of the same store) with the size, ETag and
/// last-modified time the inventory recorded. S3 Inventory rows (columns from <c>fileSchema</c>) have
/// <c>Bucket</c> and <c>Key</c>, the key URL-encoded as S3 Inventory writes it (form encoding: '+' a
/// space, %XX a byte of its UTF-8); Azure Blob inventory rows (columns from the header) have
/// <c>Name</c>, the blob's <c>container/blob</c>. Rows that are no object to read (a delete marker, an
/// older version, a snapshot, a deleted blob, a folder) are left out. The row's other columns
/// (<c>StorageClass</c>, <c>VersionId</c>, <c>BlobType</c>, <c>Content-Type</c>, ...) are carried into its
/// output row under their names, as a CSV manifest's are; those that became the row's key, size, ETag and
/// time, and those that choose the rows left out (the same on every row kept), are not.
/// </summary>
internal sealed class InventoryColumns
{
    private readonly StorageKind kind;
    private readonly string[] names;
    private readonly string? defaultBucket;
    private readonly int key, bucket, size, etag, modified;
    private readonly (int Column, string Value)[] leaveOut;
    private readonly int snapshot;
    private readonly int[] carried;

    private InventoryColumns(StorageKind kind, string[] names, string? defaultBucket)
    {
        (this.kind, this.names, this.defaultBucket) = (kind, names, defaultBucket);
        int At(string name) => Array.FindIndex(names, n => n.Equals(name, StringComparison.OrdinalIgnoreCase));
        var s3 = kind == StorageKind.S3;
        (key, bucket) = s3 ? (At("Key"), At("Bucket")) : (At("Name"), -1);
        (size, etag, modified) = s3 ? (At("Size"), At("ETag"), At("LastModifiedDate")) : (At("Content-Length"), At("Etag"), At("Last-Modified"));
        leaveOut = (s3 ? new[] { ("IsDeleteMarker", "true"), ("IsLatest", "false") } : [("Deleted", "true"), ("IsCurrentVersion", "false"), ("hdi_isfolder", "true")])
            .Select(c => (At(c.Item1), c.Item2)).Where(c => c.Item1 >= 0).ToArray();
        snapshot = s3 ? -1 : At("Snapshot");
        int[] used = [key, bucket, size, etag, modified, snapshot, .. leaveOut.Select(c => c.Column)];
        carried = Enumerable.Range(0, names.Length).Where(i => !used.Contains(i) && names[i].Length > 0).ToArray();
    }

    /// <summary>The columns of <paramref name="inventory"/>'s rows: its schema, or <paramref name="header"/> (an Azure file's first line).</summary>
    public static InventoryColumns For(InventoryManifest inventory, string[]? header, string file)
    {
        var names = inventory.Schema?.ToArray() ?? header ?? [];
        var columns = new InventoryColumns(inventory.Kind, names, inventory.SourceBucket);
        if (columns.key < 0)
            throw ManifestPages.Bad(file, 1, $"has no {(inventory.Kind == StorageKind.S3 ? "Key" : "Name")} column; its columns are {string.Join(", ", names)}");
        return columns;
    }

    /// <summary>
    /// The object row <paramref name="fields"/> names, keyed relative to <paramref name="home"/> (the
    /// manifest's bucket or container) where it lies there; null for a row left out.
    /// </summary>
    public SourceObject? Read(string[] fields, string home, string file, long line)
    {
        if (fields.Length != names.Length)
            throw ManifestPages.Bad(file, line, $"has {fields.Length} fields, the inventory's columns are {names.Length} ({string.Join(", ", names)})");
        if (leaveOut.Any(c => fields[c.Column].Equals(c.Value, StringComparison.OrdinalIgnoreCase)) || (snapshot >= 0 && fields[snapshot].Length > 0))
            return null;
        var (container, name) = kind == StorageKind.S3 ? S3Object(fields, file, line) : BlobObject(fields[key], file, line);
        if (name.EndsWith('/'))
            return null;
        var objectKey = container == home ? name : SourceUri.ObjectLocation(kind, container, name);
        return new SourceObject(objectKey, Long(size), Tag(), Time(modified))
        {
            // Carried as JSON, as a CSV manifest's fields: each a string.
            Columns = carried.Length > 0 ? carried.ToDictionary(i => names[i], i => JsonSerializer.Serialize(fields[i]), StringComparer.Ordinal) : null,
        };

        long? Long(int at) => at >= 0 && long.TryParse(fields[at], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
        DateTimeOffset? Time(int at) => at >= 0 && DateTimeOffset.TryParse(fields[at], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var v) ? v.ToUniversalTime() : null;
        // S3's listing gives ETags quoted, as its inventory does not: quoted alike, so skipExisting compares equals.
        string? Tag() => etag < 0 || fields[etag].Length == 0 ? null : kind == StorageKind.S3 && !fields[etag].StartsWith('"') ? $"\"{fields[etag]}\"" : fields[etag];
    }

    private (string Bucket, string Key) S3Object(string[] fields, string file, long line)
    {
        var objectBucket = bucket >= 0 && fields[bucket].Length > 0 ? fields[bucket] : defaultBucket!;
        // A '%' not followed by two hex digits stays as it is (WebUtility's decoding does not fail).
        var decoded = WebUtility.UrlDecode(fields[key]);
        if (decoded.Length == 0)
            throw ManifestPages.Bad(file, line, "has an empty Key");
        return (objectBucket, decoded);
    }

    private static (string Container, string Blob) BlobObject(string name, string file, long line)
    {
        var slash = name.IndexOf('/');
        if (slash <= 0 || slash == name.Length - 1)
            throw ManifestPages.Bad(file, line, $"has a Name that is not container/blob ({ManifestPages.Cut(name)})");
        return (name[..slash], name[(slash + 1)..]);
    }
}
