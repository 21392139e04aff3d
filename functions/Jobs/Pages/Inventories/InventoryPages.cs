using System.IO.Compression;
using Serverless.BatchInference.Contracts;
using Serverless.Storage;

namespace Serverless.Jobs.Pages.Inventories;

/// <summary>
/// Lists an inventory (<see cref="InventoryManifest"/>) page by page, as a CSV manifest is listed: the
/// listing token is the data file's index, the byte offset in it and the line number
/// (<c>file:offset:line</c>), so a page reads its data files from where the last one stopped; a page
/// may end one file and go on in the next. A gzip file is decompressed again from its start by every
/// page that reads it and its offsets count decompressed bytes, so the first page reads only its own
/// rows of the first file, whatever the inventory's size. A data file that is missing, a malformed
/// row, a key with NUL or '..' fail the job naming the file and the line.
/// </summary>
internal static class InventoryPages
{
    /// <summary>The rows of the page that starts at <paramref name="token"/> (null: the first).</summary>
    public static async Task<SourcePage> ReadPageAsync(JobResources resources, JobSpec job, InventoryManifest inventory, string? token, Func<string, Tenancy.TenantDecision> readable, CancellationToken cancellationToken)
    {
        var (file, offset, line) = Parse(token);
        var home = SourceUri.Parse(job.Source);
        var objects = new List<SourceObject>(job.PageSize);
        var leftOut = 0;
        string? next = null;
        for (; file < inventory.Files.Count; (file, offset, line) = (file + 1, 0, 0))
        {
            var location = inventory.Files[file];
            try
            {
                if (await ReadFileAsync() is { } ended)
                {
                    next = ended.Length > 0 ? ended : null;
                    break;
                }
            }
            catch (InvalidDataException e)
            {
                throw ManifestPages.Bad(location, line, $"is not a valid gzip file: {e.Message}");
            }
        }
        if (token is null && next is null && objects.Count == 0)
            throw new JobConfigurationException($"the inventory {inventory.Manifest} lists no objects to classify ({leftOut} rows left out: delete markers, older versions, snapshots, deleted blobs or folders)");
        return new SourcePage(objects.Select(o => o.Key).ToList(), next, leftOut) { Objects = objects };

        // Reads the current file from offset into the page; returns the next page's token once the page is full.
        async Task<string?> ReadFileAsync()
        {
            var location = inventory.Files[file];
            await using var raw = await OpenAsync(resources, inventory, location, cancellationToken).ConfigureAwait(false);
            var gzip = location.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
            await using var stream = gzip ? new GZipStream(raw, CompressionMode.Decompress, leaveOpen: true) : raw;
            var reader = new ManifestLineReader(stream, location);
            string[]? header = null;
            if (inventory.Schema is null)
            {
                var first = await reader.NextAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw ManifestPages.Bad(location, 1, "is empty: an Azure Blob inventory's CSV starts with a header line");
                header = ManifestPages.CsvFields(first.Text, location, 1);
                (offset, line) = (Math.Max(offset, first.End), Math.Max(line, 1));
            }
            var columns = InventoryColumns.For(inventory, header, location);
            if (!await reader.SkipToAsync(offset, cancellationToken).ConfigureAwait(false))
                throw reader.EndedBefore(offset, line);
            reader.Lines = line;
            while (objects.Count < job.PageSize && await reader.NextAsync(cancellationToken).ConfigureAwait(false) is { } row)
            {
                (offset, line) = (row.End, line + 1);
                if (row.Text.Trim().Length == 0)
                    continue;
                if (columns.Read(ManifestPages.CsvFields(row.Text, location, line), home.Container, location, line) is not { } listed)
                {
                    leftOut++;
                    continue;
                }
                ManifestPages.CheckKey(listed.Key, location, line, home, readable);
                objects.Add(listed);
            }
            if (objects.Count < job.PageSize)
            {
                await WholeAsync(raw, gzip).ConfigureAwait(false);
                return null;
            }
            // The page is full: it goes on here, or with the next file (the last one's end: no next page).
            if (await reader.NextAsync(cancellationToken).ConfigureAwait(false) is not null)
                return $"{file}:{offset}:{line}";
            await WholeAsync(raw, gzip).ConfigureAwait(false);
            return file + 1 < inventory.Files.Count ? $"{file + 1}:0:0" : "";
        }

        // A gzip stream that ends while its file goes on was cut short by bad data (.NET's inflater ends
        // quietly there): an error, never a file read in part.
        async Task WholeAsync(Stream raw, bool gzip)
        {
            if (gzip && await raw.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) > 0)
                throw ManifestPages.Bad(inventory.Files[file], line, "is not a valid gzip file: its data ends before the file does (corrupt, or more than one gzip member)");
        }
    }

    private static async Task<Stream> OpenAsync(JobResources resources, InventoryManifest inventory, string location, CancellationToken cancellationToken)
    {
        Stream stream;
        try
        {
            var (folder, name) = InventoryManifest.Split(location);
            stream = await resources.Results(folder).OpenReadAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.ObjectNotFound)
        {
            throw new JobConfigurationException($"the inventory {inventory.Manifest} lists the data file {location}, which is missing: {e.Message}", e);
        }
        return stream;
    }

    private static (int File, long Offset, long Line) Parse(string? token)
    {
        if (token is null)
            return (0, 0, 0);
        var parts = token.Split(':');
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        return (int.Parse(parts[0], culture), long.Parse(parts[1], culture), long.Parse(parts[2], culture));
    }
}
