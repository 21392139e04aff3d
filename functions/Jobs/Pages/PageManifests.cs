using System.Buffers;
using System.IO.Pipelines;
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
        var name = JobWorkArea.PageManifest(jobId, page);
        var bytes = await ReadLinesAsync(store, name, 0, 0, cancellationToken).ConfigureAwait(false);
        return Header(bytes, name, out _);
    }

    /// <summary>
    /// Items [<paramref name="first"/>, first + <paramref name="count"/>) of page <paramref name="page"/>. The
    /// manifest is read only up to them and only their lines are kept and decoded: a unit of 256 reads a page of
    /// 4,000, and the whole manifest as one array (half a megabyte, on the large object heap) for each unit set
    /// off most of a large job's full collections.
    /// </summary>
    public static async Task<IReadOnlyList<SourceObject>> ReadItemsAsync(IResultStore store, string jobId, int page, int first, int count, CancellationToken cancellationToken)
    {
        var name = JobWorkArea.PageManifest(jobId, page);
        var bytes = await ReadLinesAsync(store, name, Math.Max(first, 0), Math.Max(count, 0), cancellationToken).ConfigureAwait(false);
        var header = Header(bytes, name, out var rest);
        if (first < 0 || count < 0 || first + count > header.Count)
            throw Short(store, name, header.Count, first, count);
        var items = new SourceObject[count];
        for (var line = 0; line < count; line++)
        {
            if (!NextLine(ref rest, out var text))
                throw Short(store, name, first + line, first, count);
            items[line] = JsonSerializer.Deserialize<SourceObject>(text, Json)!;
        }
        return items;
    }

    /// <summary>
    /// The header line and item lines [<paramref name="first"/>, first + <paramref name="count"/>) of manifest
    /// <paramref name="name"/> (empty lines skipped, as <see cref="NextLine"/> does), '\n'-ended; the stream is read no further.
    /// </summary>
    private static async Task<byte[]> ReadLinesAsync(IResultStore store, string name, int first, int count, CancellationToken cancellationToken)
    {
        try
        {
            return await store.ReadAsync(name, async (stream, ct) =>
            {
                var kept = new ArrayBufferWriter<byte>();
                // Pooled 64 KB reads: a unit near the end of a page reads half a megabyte in a few of them.
                var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 1 << 16, leaveOpen: true));
                var line = -1; // the header
                while (line < first + count)
                {
                    var read = await reader.ReadAsync(ct).ConfigureAwait(false);
                    var lines = new SequenceReader<byte>(read.Buffer);
                    while (line < first + count && (lines.TryReadTo(out ReadOnlySequence<byte> text, (byte)'\n')
                        || (read.IsCompleted && TakeRest(ref lines, out text))))
                    {
                        if (text.IsEmpty)
                            continue;
                        if (line < 0 || line >= first)
                        {
                            foreach (var segment in text)
                                kept.Write(segment.Span);
                            kept.Write("\n"u8);
                        }
                        line++;
                    }
                    reader.AdvanceTo(lines.Position, read.Buffer.End);
                    if (read.IsCompleted)
                        break;
                }
                await reader.CompleteAsync().ConfigureAwait(false);
                return kept.WrittenSpan.ToArray();
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.ObjectNotFound)
        {
            throw Missing(store, name, "page manifest", e);
        }

        // A last line without its '\n'.
        static bool TakeRest(ref SequenceReader<byte> lines, out ReadOnlySequence<byte> text)
        {
            text = lines.UnreadSequence;
            lines.AdvanceToEnd();
            return !text.IsEmpty;
        }
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
            throw Missing(store, name, what, e);
        }
    }

    private static JobDataMissingException Missing(IResultStore store, string name, string what, StorageException e) =>
        new($"the {what} {store.Location}/{name} is missing (deleted while the job ran?)", e);

    private static JobDataMissingException Short(IResultStore store, string name, int holds, int first, int count) =>
        new($"the page manifest {store.Location}/{name} holds {holds} images, not items {first}..{first + count - 1}");

    /// <summary>The manifest's header line; <paramref name="rest"/> is what follows it.</summary>
    private static PageHeader Header(ReadOnlySpan<byte> manifest, string name, out ReadOnlySpan<byte> rest)
    {
        rest = manifest;
        return NextLine(ref rest, out var line) && JsonSerializer.Deserialize<PageHeader>(line, Json) is { } header
            ? header
            : throw new JobDataMissingException($"the page manifest {name} has no header");
    }

    /// <summary>The next non-empty line of <paramref name="text"/> (without its '\n'), which moves past it; false at the end.</summary>
    private static bool NextLine(ref ReadOnlySpan<byte> text, out ReadOnlySpan<byte> line)
    {
        while (!text.IsEmpty)
        {
            var end = text.IndexOf((byte)'\n');
            line = end < 0 ? text : text[..end];
            text = end < 0 ? [] : text[(end + 1)..];
            if (!line.IsEmpty)
                return true;
        }
        line = [];
        return false;
    }
}

/// <summary>The first line of a page manifest.</summary>
/// <param name="Page">The page's index.</param>
/// <param name="Count">Images listed on the page.</param>
/// <param name="Next">The listing token of the next page; null on the last page.</param>
/// <param name="Skipped">Objects of the page left out by the extension filter.</param>
/// <param name="Existing">Objects of the page whose rows were copied from skipExisting (<see cref="JobWorkArea.ExistingPart"/>) instead of listed here.</param>
public sealed record PageHeader(int Page, int Count, string? Next, int Skipped, int Existing = 0);
