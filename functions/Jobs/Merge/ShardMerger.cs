using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Pages;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Jobs.Merge;

/// <summary>
/// Merges a range of pages into one predictions shard: reads each page's record and exactly the
/// parts it names (never a listing of the folder, so another job's files in the same output are
/// never merged), several parts ahead in parallel (JSON Lines, or the Parquet a unit of a Parquet job writes:
/// <see cref="PartRows"/>), and streams their rows into
/// <c>predictions/part-NNNNN.jsonl</c> (or <c>.csv</c>: only shard 0 carries the header, so shards join into one
/// file; or <c>.parquet</c>: <see cref="ParquetPredictions"/>), with the rows of a page's heal pass in place of its failed reads. Writes its
/// <see cref="ShardStats"/> beside. Memory holds a few parts and one page's healed rows.
/// <paramref name="outputs"/>: the job's named outputs, read from the parts' fields of those names
/// (JSON Lines keeps the parts' lines as they are; Parquet gets a column each); <paramref name="passthrough"/>:
/// the manifest's columns the job carries, a Parquet or CSV column each.
/// </summary>
public sealed class ShardMerger(IResultStore store, IReadOnlyList<string>? outputs = null, IReadOnlyList<string>? passthrough = null)
{
    /// <summary>Parts read ahead of the one being written.</summary>
    public const int ReadAhead = 8;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The name of shard <paramref name="shard"/> of the predictions.</summary>
    public static string ShardName(int shard, string format) => $"predictions/part-{shard:D5}.{format}";

    /// <summary>Merges pages [<paramref name="firstPage"/>, firstPage + <paramref name="pageCount"/>) of job <paramref name="jobId"/> into shard <paramref name="shard"/>.</summary>
    public async Task<ShardStats> MergeAsync(string jobId, int shard, int firstPage, int pageCount, string format, CancellationToken cancellationToken)
    {
        var records = new List<(int Page, PageRecord Record)>(pageCount);
        for (var page = firstPage; page < firstPage + pageCount; page++)
            records.Add((page, await PageManifests.ReadRecordAsync(store, jobId, page, cancellationToken).ConfigureAwait(false)));
        var name = ShardName(shard, format);
        ShardStats? stats = null;
        try
        {
            await WriteShardAsync();
        }
        catch (StorageException e) when (e.InnerException is JobDataMissingException missing)
        {
            // A file of the job's own is missing: say which, not that the upload of the shard failed.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(missing);
        }
        await store.WriteAsync(JobWorkArea.ShardStats(jobId, shard), JsonSerializer.SerializeToUtf8Bytes(stats!, Json), cancellationToken).ConfigureAwait(false);
        return stats!;

        async Task WriteShardAsync()
        {
            if (format != "parquet")
            {
                var csv = format == "csv";
                await store.WriteAsync(name, async (output, ct) =>
                {
                    // May run again if the upload is retried: count from zero each time.
                    var run = new Counter();
                    // Not disposed: that would close the store's stream, which the store completes itself.
                    var buffered = new BufferedStream(output, WriteBufferBytes);
                    if (csv && shard == 0)
                        await WriteLineAsync(buffered, PredictionCsv.HeaderWith(passthrough), ct).ConfigureAwait(false);
                    await foreach (var (row, line) in RowsAsync(jobId, records, run, copyLines: !csv, ct).ConfigureAwait(false))
                    {
                        if (csv || line.IsEmpty)
                            await WriteLineAsync(buffered, csv ? PredictionCsv.Format(row!, passthrough) : PredictionJson.Serialize(row!), ct).ConfigureAwait(false);
                        else
                            await WriteLineAsync(buffered, line, ct).ConfigureAwait(false);
                    }
                    await buffered.FlushAsync(ct).ConfigureAwait(false);
                    stats = run.ToStats(name, output.CanSeek ? output.Length : 0);
                }, cancellationToken).ConfigureAwait(false);
                return;
            }
            var counted = new Counter();
            await using var parquet = new ParquetPredictions(outputs, passthrough);
            await foreach (var (row, _) in RowsAsync(jobId, records, counted, copyLines: false, cancellationToken).ConfigureAwait(false))
                await parquet.AddAsync(row!, cancellationToken).ConfigureAwait(false);
            stats = counted.ToStats(name, await parquet.UploadAsync(store, name, cancellationToken).ConfigureAwait(false)) with { ParquetFooter = parquet.Footer };
        }
    }

    /// <summary>
    /// The pages' rows in order, each once (counted in <paramref name="run"/>), a page's healed rows in place of its failed
    /// reads; a row read from a JSON Lines part comes with its line's bytes (<see cref="PartRows"/>), any other with none.
    /// With <paramref name="copyLines"/> (a JSON Lines merge) a classified row of a JSON Lines part comes as its line alone,
    /// counted from it (<see cref="JsonLineFacts"/>), with no row built.
    /// </summary>
    private async IAsyncEnumerable<(PredictionRow? Row, ReadOnlyMemory<byte> Line)> RowsAsync(string jobId, List<(int Page, PageRecord Record)> records, Counter run,
        bool copyLines, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var (page, record) in records)
        {
            var healed = record.HealPart is { } heal ? await ReadHealAsync(jobId, page, heal, ct).ConfigureAwait(false) : null;
            // Rows copied from skipExisting come first: the page's own parts hold only what it classified.
            IReadOnlyList<string> parts = record.ExistingPart is { } existing ? [existing, .. record.Parts] : record.Parts;
            await foreach (var (part, bytes) in ReadPartsAsync(jobId, page, parts, ct).ConfigureAwait(false))
            {
                run.Parts++;
                var copied = part == record.ExistingPart;
                var rows = copyLines && !PartRows.IsParquet(part)
                    ? PredictionJson.Lines(bytes).Select(line => ((PredictionRow?)null, line))
                    : (await PartRows.ReadAsync(part, bytes, outputs, ct).ConfigureAwait(false)).Select(r => ((PredictionRow?)r.Row, r.Line));
                foreach (var (parsed, read) in rows)
                {
                    if (parsed is null && run.TryAddLine(read.Span, out var added))
                    {
                        run.Skipped += added && copied ? 1 : 0;
                        if (added)
                            yield return (null, read);
                        continue;
                    }
                    // A failed row (which the heal pass may replace), one the sample takes, or an unusual line: the whole row.
                    var (row, line) = (parsed ?? PredictionJson.Parse(read.Span, outputs), read);
                    if (healed is not null && row.Failed && healed.TryGetValue(row.Key, out var again))
                    {
                        again = again with { ETag = row.ETag, Size = row.Size, LastModified = row.LastModified, Columns = row.Columns };
                        (row, line) = (again, ReadOnlyMemory<byte>.Empty);
                        run.Healed += again.Failed ? 0 : 1;
                    }
                    if (!run.Add(row))
                        continue;
                    run.Skipped += copied ? 1 : 0;
                    yield return (row, line);
                }
            }
        }
    }

    /// <summary>Reads shard <paramref name="shard"/>'s stats; a missing one names itself.</summary>
    public async Task<ShardStats> ReadStatsAsync(string jobId, int shard, CancellationToken cancellationToken)
    {
        var bytes = await PageManifests.ReadOrMissingAsync(store, JobWorkArea.ShardStats(jobId, shard), "merge shard's stats", cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize<ShardStats>(bytes, Json)!;
    }

    private async Task<Dictionary<string, PredictionRow>> ReadHealAsync(string jobId, int page, string heal, CancellationToken ct)
    {
        var bytes = await PageManifests.ReadOrMissingAsync(store, JobWorkArea.Part(jobId, heal), $"heal part of page {page}", ct).ConfigureAwait(false);
        return (await PartRows.ReadAsync(heal, bytes, outputs, ct).ConfigureAwait(false)).Select(r => r.Row)
            .GroupBy(r => r.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
    }

    /// <summary>The page's parts in order, <see cref="ReadAhead"/> of them read in parallel ahead of the consumer.</summary>
    private async IAsyncEnumerable<(string Part, byte[] Bytes)> ReadPartsAsync(string jobId, int page, IReadOnlyList<string> parts,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var ahead = Channel.CreateBounded<Task<byte[]>>(ReadAhead);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var producer = Task.Run(async () =>
        {
            try
            {
                foreach (var part in parts)
                {
                    var what = $"part {part} of page {page}";
                    await ahead.Writer.WriteAsync(PageManifests.ReadOrMissingAsync(store, JobWorkArea.Part(jobId, part), what, stop.Token), stop.Token).ConfigureAwait(false);
                }
                ahead.Writer.TryComplete();
            }
            catch (Exception e)
            {
                ahead.Writer.TryComplete(e);
            }
        }, CancellationToken.None);
        try
        {
            var index = 0;
            await foreach (var read in ahead.Reader.ReadAllAsync(ct).ConfigureAwait(false))
                yield return (parts[index++], await read.ConfigureAwait(false));
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
            // Reads started ahead and never consumed: observe them so no failure goes unobserved.
            while (ahead.Reader.TryRead(out var left))
                await Task.WhenAny(left).ConfigureAwait(false);
        }
    }

    // A shard's output is written through a buffer of this size: under the large object heap's threshold.
    private const int WriteBufferBytes = 1 << 16;

    private static readonly ReadOnlyMemory<byte> NewLine = "\n"u8.ToArray();

    private static async ValueTask WriteLineAsync(Stream output, ReadOnlyMemory<byte> line, CancellationToken ct)
    {
        await output.WriteAsync(line, ct).ConfigureAwait(false);
        await output.WriteAsync(NewLine, ct).ConfigureAwait(false);
    }

    private static async ValueTask WriteLineAsync(Stream output, string line, CancellationToken ct)
    {
        var bytes = System.Buffers.ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(line.Length));
        try
        {
            await WriteLineAsync(output, bytes.AsMemory(0, Encoding.UTF8.GetBytes(line, bytes)), ct).ConfigureAwait(false);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private sealed class Counter
    {
        private readonly HashSet<ulong> seen = [];
        private readonly ResultSampler samples = new();

        public int Parts { get; set; }
        public long Healed { get; set; }
        public long Skipped { get; set; }
        private long rows, failed, duplicates;
        private readonly Dictionary<string, long> failures = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> classes = new(StringComparer.Ordinal);

        /// <summary>
        /// Counts a classified row from its JSON line alone; <paramref name="added"/> false when its key was merged before
        /// in this shard. False when the row must be built and <see cref="Add"/>ed: it failed, the sample takes it, or its
        /// line is one <see cref="JsonLineFacts"/> leaves to the full parse.
        /// </summary>
        public bool TryAddLine(ReadOnlySpan<byte> line, out bool added)
        {
            added = false;
            Span<char> label = stackalloc char[JsonLineFacts.MaxChars];
            if (!JsonLineFacts.TryRead(line, label, out var hash, out var labelLength) || samples.Wants(hash, isFailed: false))
                return false;
            if (!seen.Add(hash))
            {
                duplicates++;
                return true;
            }
            rows++;
            if (labelLength >= 0)
            {
                var byLabel = classes.GetAlternateLookup<ReadOnlySpan<char>>();
                byLabel[label[..labelLength]] = byLabel.TryGetValue(label[..labelLength], out var n) ? n + 1 : 1;
            }
            added = true;
            return true;
        }

        /// <summary>Counts the row; false when its key was merged before in this shard (the row is dropped).</summary>
        public bool Add(PredictionRow row)
        {
            if (!seen.Add(KeyHash.Of(row.Key)))
            {
                duplicates++;
                return false;
            }
            rows++;
            samples.Add(row);
            if (row.ErrorCode is { } code)
            {
                failed++;
                failures[code] = failures.GetValueOrDefault(code) + 1;
            }
            else if (row.Top.Count > 0)
                classes[row.Top[0].Label] = classes.GetValueOrDefault(row.Top[0].Label) + 1;
            return true;
        }

        public ShardStats ToStats(string name, long bytes) => new()
        {
            Name = name, Rows = rows, Failed = failed, Bytes = bytes, Parts = Parts, DuplicatesDropped = duplicates, Healed = Healed, Skipped = Skipped,
            FailuresByReason = failures, Classes = classes, Samples = samples.ToSamples(),
        };
    }
}
