using System.Text;
using System.Text.Json;
using Serverless.BatchInference.Contracts;
using Serverless.Storage;

namespace Serverless.Jobs.Pages;

/// <summary>
/// A page's manifest in the job's working area (<see cref="JobWorkArea.PageManifest"/>): a header
/// line (<see cref="PageHeader"/>: the image count and the next page's listing token), then one
/// line per image (<see cref="SourceObject"/>: key, and size and ETag where the store gave them).
/// The keys of a job live here, never in the engine's history or messages. Page records
/// (<see cref="PageRecord"/>: the parts a page wrote) sit beside them.
/// </summary>
public static class PageManifests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Writes page <paramref name="page"/>'s manifest (a rerun of the listing writes the same one).</summary>
    /// <param name="existing">Images of the page whose rows were copied from skipExisting (<see cref="JobWorkArea.ExistingPart"/>), not listed here.</param>
    public static async Task<string> WriteAsync(IResultStore store, string jobId, int page, SourcePage listed, CancellationToken cancellationToken, int existing = 0)
    {
        var objects = listed.Objects ?? listed.Keys.Select(k => new SourceObject(k, null, null)).ToList();
        var text = new StringBuilder();
        text.Append(JsonSerializer.Serialize(new PageHeader(page, objects.Count, listed.NextToken, listed.Skipped, existing), Json)).Append('\n');
        foreach (var item in objects)
            text.Append(JsonSerializer.Serialize(item, Json)).Append('\n');
        var name = JobWorkArea.PageManifest(jobId, page);
        await store.WriteAsync(name, Encoding.UTF8.GetBytes(text.ToString()), cancellationToken).ConfigureAwait(false);
        return name;
    }

    /// <summary>The header of page <paramref name="page"/>'s manifest.</summary>
    public static async Task<PageHeader> ReadHeaderAsync(IResultStore store, string jobId, int page, CancellationToken cancellationToken)
    {
        var lines = await ReadLinesAsync(store, JobWorkArea.PageManifest(jobId, page), cancellationToken).ConfigureAwait(false);
        return Header(lines, JobWorkArea.PageManifest(jobId, page));
    }

    /// <summary>Items [<paramref name="first"/>, first + <paramref name="count"/>) of page <paramref name="page"/>.</summary>
    public static async Task<IReadOnlyList<SourceObject>> ReadItemsAsync(IResultStore store, string jobId, int page, int first, int count, CancellationToken cancellationToken)
    {
        var name = JobWorkArea.PageManifest(jobId, page);
        var lines = await ReadLinesAsync(store, name, cancellationToken).ConfigureAwait(false);
        var header = Header(lines, name);
        if (first < 0 || count < 0 || first + count > header.Count || lines.Length < header.Count + 1)
            throw new JobDataMissingException($"the page manifest {store.Location}/{name} holds {Math.Min(header.Count, lines.Length - 1)} images, not items {first}..{first + count - 1}");
        return lines.Skip(1 + first).Take(count).Select(l => JsonSerializer.Deserialize<SourceObject>(l, Json)!).ToArray();
    }

    /// <summary>Writes page <paramref name="page"/>'s record of parts.</summary>
    public static Task WriteRecordAsync(IResultStore store, string jobId, int page, PageRecord record, CancellationToken cancellationToken) =>
        store.WriteAsync(JobWorkArea.PageRecord(jobId, page), JsonSerializer.SerializeToUtf8Bytes(record, Json), cancellationToken);

    /// <summary>Page <paramref name="page"/>'s record of parts; a missing one is a <see cref="JobDataMissingException"/> naming it.</summary>
    public static async Task<PageRecord> ReadRecordAsync(IResultStore store, string jobId, int page, CancellationToken cancellationToken)
    {
        var name = JobWorkArea.PageRecord(jobId, page);
        var bytes = await ReadOrMissingAsync(store, name, "page record", cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize<PageRecord>(bytes, Json) ?? throw new JobDataMissingException($"the page record {store.Location}/{name} is empty");
    }

    /// <summary>Reads <paramref name="name"/>; a missing object is a <see cref="JobDataMissingException"/> that names it as <paramref name="what"/>.</summary>
    public static async Task<byte[]> ReadOrMissingAsync(IResultStore store, string name, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await store.ReadAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.ObjectNotFound)
        {
            throw new JobDataMissingException($"the {what} {store.Location}/{name} is missing (deleted while the job ran?)", e);
        }
    }

    private static async Task<string[]> ReadLinesAsync(IResultStore store, string name, CancellationToken cancellationToken)
    {
        var bytes = await ReadOrMissingAsync(store, name, "page manifest", cancellationToken).ConfigureAwait(false);
        return Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static PageHeader Header(string[] lines, string name) =>
        lines.Length > 0 && JsonSerializer.Deserialize<PageHeader>(lines[0], Json) is { } header
            ? header
            : throw new JobDataMissingException($"the page manifest {name} has no header");
}

/// <summary>The first line of a page manifest.</summary>
/// <param name="Page">The page's index.</param>
/// <param name="Count">Images listed on the page.</param>
/// <param name="Next">The listing token of the next page; null on the last page.</param>
/// <param name="Skipped">Objects of the page left out by the extension filter.</param>
/// <param name="Existing">Objects of the page whose rows were copied from skipExisting (<see cref="JobWorkArea.ExistingPart"/>) instead of listed here.</param>
public sealed record PageHeader(int Page, int Count, string? Next, int Skipped, int Existing = 0);
