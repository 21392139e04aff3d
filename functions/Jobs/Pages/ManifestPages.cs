using System.Text;
using System.Text.Json;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Pages.Inventories;
using Serverless.Storage;

namespace Serverless.Jobs.Pages;

/// <summary>
/// A job whose source is a manifest (<see cref="JobSpec.Manifest"/>: a CSV with a header, or JSON
/// Lines; an inventory, S3's or Azure Blob's, goes to <see cref="InventoryPages"/>) lists it page by page, as a prefix is listed: each page reads up to the page size of rows
/// from a byte offset (the listing token, with the line number, so errors name the line), and
/// carries the other columns through to the rows. A key is an object key of the manifest's bucket
/// or container (a path relative to its folder for local manifests), or a full location
/// (<c>s3://bucket/key</c>, <c>azblob://container/blob</c>) in another bucket of the same store.
/// A malformed manifest fails the job with a <see cref="JobConfigurationException"/> naming the line.
/// </summary>
public static class ManifestPages
{
    /// <summary>The longest manifest line read.</summary>
    public const int MaxLineBytes = 1 << 20;

    /// <summary>Row fields a passthrough column may not be named.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
        { "key", "top", "errorCode", "errorMessage", "modelSha256", "etag", "size", "lastModified" };

    /// <summary>The rows of the page that starts at <paramref name="token"/> (null: the first).</summary>
    /// <remarks>
    /// The manifest is read from its own location (a rerun's lies in its output's working area), its keys
    /// from <see cref="JobSpec.Source"/> (the manifest's folder, or a rerun's parent's source).
    /// </remarks>
    /// <param name="readable">The job's tenant's rule for what it may read (<see cref="Tenancy.TenantPolicy.ReadCheckAsync"/>): a key outside it fails the job naming the line.</param>
    public static async Task<SourcePage> ReadPageAsync(JobResources resources, JobSpec job, string? token, Func<string, Tenancy.TenantDecision> readable, CancellationToken cancellationToken)
    {
        var (manifest, keyColumn) = (job.Manifest!, job.ManifestKeyColumn ?? "key");
        if (InventoryManifest.IsManifestName(manifest))
            return await InventoryPages.ReadPageAsync(resources, job, await InventoryManifest.ReadAsync(resources, manifest, cancellationToken).ConfigureAwait(false), token, readable, cancellationToken).ConfigureAwait(false);
        var csv = IsCsv(manifest);
        var (offset, line) = Parse(token);
        Stream stream;
        try
        {
            var slash = manifest.LastIndexOf('/');
            stream = await resources.Results(manifest[..Math.Max(slash, 0)]).OpenReadAsync(manifest[(slash + 1)..], cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.ObjectNotFound)
        {
            throw new JobConfigurationException($"the manifest {manifest} is missing: {e.Message}", e);
        }
        await using var owned = stream;
        var reader = new ManifestLineReader(stream, manifest);
        string[]? header = null;
        if (csv)
        {
            var first = await reader.NextAsync(cancellationToken).ConfigureAwait(false) ?? throw Bad(manifest, 1, "is empty: a CSV manifest needs a header line");
            // An Azure Blob inventory's CSV: its Name is container/blob, its other columns the blob's properties.
            if (AzureInventoryManifest.IsInventoryHeader(CsvFields(first.Text, manifest, 1)))
            {
                if (SourceUri.Parse(manifest).Kind != StorageKind.AzureBlob)
                    throw Bad(manifest, 1, "is an Azure Blob inventory's CSV (its Name is container/blob): read it from Azure Blob storage (azblob://container/...)");
                return await InventoryPages.ReadPageAsync(resources, job, InventoryManifest.SingleAzureCsv(manifest), token, readable, cancellationToken).ConfigureAwait(false);
            }
            header = Header(first.Text, manifest, keyColumn);
            offset = Math.Max(offset, first.End);
            line = Math.Max(line, 1);
        }
        if (!await reader.SkipToAsync(offset, cancellationToken).ConfigureAwait(false))
            throw reader.EndedBefore(offset, line);
        reader.Lines = line;
        var objects = new List<SourceObject>(job.PageSize);
        var home = SourceUri.Parse(job.Source);
        while (objects.Count < job.PageSize && await reader.NextAsync(cancellationToken).ConfigureAwait(false) is { } next)
        {
            line++;
            offset = next.End;
            if (next.Text.Trim().Length == 0)
                continue;
            var columns = csv ? CsvRow(header!, CsvFields(next.Text, manifest, line), manifest, line) : JsonRow(next.Text, keyColumn, manifest, line);
            if (!columns.Remove(keyColumn, out var key) || string.IsNullOrWhiteSpace(key))
                throw Bad(manifest, line, $"has no '{keyColumn}'");
            CheckKey(key, manifest, line, home, readable);
            if (job.Outputs?.FirstOrDefault(columns.ContainsKey) is { } output)
                throw Bad(manifest, line, $"has a column '{output}', the name of one of the job's outputs; rename it");
            // Carried as JSON: a CSV field is a string, a JSONL value keeps its type.
            var carried = csv ? columns.ToDictionary(c => c.Key, c => JsonSerializer.Serialize(c.Value), StringComparer.Ordinal) : columns;
            objects.Add(new SourceObject(key, null, null) { Columns = carried.Count > 0 ? carried : null });
        }
        if (line <= (csv ? 1 : 0) && objects.Count == 0 && token is null)
            throw Bad(manifest, line, csv ? "has a header and no rows" : "has no rows");
        var more = await reader.NextAsync(cancellationToken).ConfigureAwait(false) is not null;
        return new SourcePage(objects.Select(o => o.Key).ToList(), more ? $"{offset}:{line}" : null, 0) { Objects = objects };
    }

    /// <summary>
    /// Reads a CSV manifest's header from <paramref name="stream"/> and checks it as the listing does
    /// (present, holding <paramref name="keyColumn"/>, no column named as a row field): what submission
    /// checks before a job is scheduled. Only a <c>.csv</c> is read: JSON Lines have no header, and
    /// any other kind of manifest is left to its own reader.
    /// </summary>
    /// <exception cref="JobConfigurationException">The header is missing or wrong; the message names the line.</exception>
    public static async Task CheckHeaderAsync(Stream stream, string manifest, string keyColumn, CancellationToken cancellationToken)
    {
        if (!manifest.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            return;
        var first = await new ManifestLineReader(stream, manifest).NextAsync(cancellationToken).ConfigureAwait(false);
        // An Azure Blob inventory's CSV names its keys in Name, whatever manifestKeyColumn says: its reader checks it.
        if (first is { } line && AzureInventoryManifest.IsInventoryHeader(CsvFields(line.Text, manifest, 1)))
            return;
        Header(first?.Text, manifest, keyColumn);
    }

    private static bool IsCsv(string manifest) =>
        !manifest.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) && !manifest.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase);

    private static string[] Header(string? first, string manifest, string keyColumn)
    {
        if (first is null)
            throw Bad(manifest, 1, "is empty: a CSV manifest needs a header line");
        var header = CsvFields(first, manifest, 1);
        if (!header.Contains(keyColumn, StringComparer.Ordinal))
            throw Bad(manifest, 1, $"has no column '{keyColumn}' in its header (manifestKeyColumn); its columns are {string.Join(", ", header)}");
        if (header.FirstOrDefault(h => h != keyColumn && Reserved.Contains(h)) is { } clash)
            throw Bad(manifest, 1, $"has a column '{clash}', a name the output rows use; rename it");
        return header;
    }

    /// <summary>
    /// Fails naming the line for a key with NUL or '..', an absolute key, a location in another store, or
    /// an object the job's tenant may not read (<paramref name="readable"/>: a plain key judged as the
    /// object of the source's bucket or container it names, a full location as itself, so a manifest
    /// reaches other buckets only where the tenant's patterns allow).
    /// </summary>
    internal static void CheckKey(string key, string manifest, long line, SourceUri home, Func<string, Tenancy.TenantDecision> readable)
    {
        if (key.Contains('\0'))
            throw Bad(manifest, line, "has a key with a NUL character");
        if (key.Split('/').Contains(".."))
            throw Bad(manifest, line, $"has a key with '..' ({Cut(key)})");
        if (key.Contains("://", StringComparison.Ordinal))
        {
            if (!SourceUri.TryParse(key, out var location, out var error))
                throw Bad(manifest, line, $"has a key that is not a location: {error}");
            if (location.Kind != home.Kind || location.Kind == StorageKind.Local)
                throw Bad(manifest, line, $"names {Cut(key)}, in another store than the manifest's: keys may name other buckets of the same store only");
        }
        else if (key.StartsWith('/'))
            throw Bad(manifest, line, $"has an absolute key ({Cut(key)}): keys are relative to the manifest's bucket, container or folder");
        // A local manifest's keys lie under its folder, the source judged at submission ('..' refused above).
        if (home.Kind == StorageKind.Local)
            return;
        var full = key.Contains("://", StringComparison.Ordinal) ? key : SourceUri.ObjectLocation(home.Kind, home.Container, key);
        if (readable(full) is { Allowed: false } refused)
            throw Bad(manifest, line, $"names {Cut(full)}, which the job may not read: {refused.Detail}");
    }

    private static Dictionary<string, string> JsonRow(string text, string keyColumn, string manifest, long line)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw Bad(manifest, line, "is not a JSON object");
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
                row[p.Name] = p.Name == keyColumn && p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            return row;
        }
        catch (JsonException e)
        {
            throw Bad(manifest, line, $"is not JSON: {e.Message}");
        }
    }

    private static Dictionary<string, string> CsvRow(string[] header, string[] fields, string manifest, long line)
    {
        if (fields.Length != header.Length)
            throw Bad(manifest, line, $"has {fields.Length} fields, the header {header.Length}");
        var row = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++)
            row[header[i]] = fields[i];
        return row;
    }

    /// <summary>The fields of one CSV line (RFC 4180 quoting; a quoted field may not hold a line break).</summary>
    internal static string[] CsvFields(string text, string manifest, long line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                    (field, i) = (field.Append('"'), i + 1);
                else if (c == '"')
                    quoted = false;
                else
                    field.Append(c);
            }
            else if (c == '"' && field.Length == 0)
                quoted = true;
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c != '\r' || i != text.Length - 1)
                field.Append(c);
        }
        if (quoted)
            throw Bad(manifest, line, "has an unclosed quote");
        fields.Add(field.ToString());
        return fields.ToArray();
    }

    private static (long Offset, long Line) Parse(string? token)
    {
        if (token is null)
            return (0, 0);
        var parts = token.Split(':');
        return (long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    internal static string Cut(string s) => s.Length <= 100 ? s : s[..100] + "...";

    internal static JobConfigurationException Bad(string manifest, long line, string what) =>
        new($"the manifest {manifest}, line {line}, {what}");
}
