using System.Text.Json;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Merge;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Jobs.Pages;

/// <summary>
/// <c>skipExisting</c>: the rows of an earlier output that a job copies instead of classifying again.
/// The first page's listing indexes them once into the job's working area
/// (<c>_work/&lt;job&gt;/existing/</c>): only successful rows of the job's model hash with an ETag,
/// in chunks of <see cref="ChunkRows"/> rows, with each chunk's smallest and largest key in a small
/// index. A page then reads only the chunks whose key range holds one of its keys: an output written
/// in listing order (a prefix job's) costs a chunk or two per page; memory holds a chunk and a page.
/// A job with <c>outputs</c> copies only rows that carry every one of them. A failed row is always classified again (a rerun of only those: <c>rerun --failed</c>).
/// </summary>
public static class ExistingRows
{
    /// <summary>Rows per chunk of the index.</summary>
    public const int ChunkRows = 5000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A chunk of the index: its name and key range (ordinal).</summary>
    public sealed record Chunk(string Name, string First, string Last, int Rows);

    /// <summary>
    /// Splits <paramref name="page"/> into what to classify and what to copy: an object whose key has a row
    /// in the existing output with the same ETag (and, by the index, the job's model hash) is copied. Builds the
    /// job's index first when it has none (the first page's listing; a retried listing builds it again, the same).
    /// </summary>
    public static async Task<(SourcePage Page, IReadOnlyList<PredictionRow> Copied)> SplitAsync(
        JobResources resources, JobSpec job, SourcePage page, CancellationToken cancellationToken)
    {
        var work = resources.Results(job.Output);
        var objects = page.Objects ?? page.Keys.Select(k => new SourceObject(k, null, null)).ToList();
        var wanted = objects.Where(o => o.ETag is not null).ToDictionary(o => o.Key, o => o.ETag!, StringComparer.Ordinal);
        if (wanted.Count == 0)
            return (page, []);
        var chunks = await IndexAsync(resources, work, job, cancellationToken).ConfigureAwait(false);
        var sorted = wanted.Keys.Order(StringComparer.Ordinal).ToArray();
        var copied = new Dictionary<string, PredictionRow>(StringComparer.Ordinal);
        foreach (var chunk in chunks.Where(c => HoldsOne(sorted, c)))
        {
            var bytes = await PageManifests.ReadOrMissingAsync(work, chunk.Name, "skipExisting index chunk", cancellationToken).ConfigureAwait(false);
            foreach (var line in PredictionJson.Lines(bytes))
            {
                var row = PredictionJson.Parse(line.Span, null);
                // A job that stores named outputs copies only rows that carry them all (an earlier job's without them is classified again).
                if (wanted.TryGetValue(row.Key, out var etag) && etag == row.ETag && (job.Outputs ?? []).All(o => row.Columns?.ContainsKey(o) == true))
                    copied[row.Key] = row;
            }
        }
        if (copied.Count == 0)
            return (page, []);
        var left = objects.Where(o => !copied.ContainsKey(o.Key)).ToList();
        return (page with { Keys = left.Select(o => o.Key).ToList(), Objects = left }, objects.Where(o => copied.ContainsKey(o.Key)).Select(o => copied[o.Key]).ToList());
    }

    /// <summary>Whether one of the sorted keys lies in the chunk's range.</summary>
    private static bool HoldsOne(string[] sorted, Chunk chunk)
    {
        var at = Array.BinarySearch(sorted, chunk.First, StringComparer.Ordinal);
        if (at < 0)
            at = ~at;
        return at < sorted.Length && string.CompareOrdinal(sorted[at], chunk.Last) <= 0;
    }

    private static async Task<IReadOnlyList<Chunk>> IndexAsync(JobResources resources, IResultStore work, JobSpec job, CancellationToken cancellationToken)
    {
        var indexName = $"{JobWorkArea.Root(job.JobId)}existing/index.json";
        if (await work.ExistsAsync(indexName, cancellationToken).ConfigureAwait(false))
            return JsonSerializer.Deserialize<List<Chunk>>(await work.ReadAsync(indexName, cancellationToken).ConfigureAwait(false), Json)!;
        var chunks = new List<Chunk>();
        var rows = new List<PredictionRow>(ChunkRows);
        await foreach (var row in PredictionsReader.ReadAsync(resources.Results(job.SkipExisting!), cancellationToken).ConfigureAwait(false))
        {
            if (row.Failed || row.ETag is null || !string.Equals(row.ModelSha256, job.ModelSha256, StringComparison.OrdinalIgnoreCase))
                continue;
            rows.Add(row);
            if (rows.Count == ChunkRows)
                chunks.Add(await WriteChunkAsync(work, job.JobId, chunks.Count, rows, cancellationToken).ConfigureAwait(false));
        }
        if (rows.Count > 0)
            chunks.Add(await WriteChunkAsync(work, job.JobId, chunks.Count, rows, cancellationToken).ConfigureAwait(false));
        // Written last: an index names only chunks already written.
        await work.WriteAsync(indexName, JsonSerializer.SerializeToUtf8Bytes(chunks, Json), cancellationToken).ConfigureAwait(false);
        return chunks;
    }

    private static async Task<Chunk> WriteChunkAsync(IResultStore work, string jobId, int index, List<PredictionRow> rows, CancellationToken cancellationToken)
    {
        var name = $"{JobWorkArea.Root(jobId)}existing/chunk-{index:D6}.jsonl";
        await new ResultWriter(work).WriteRowsAsync(name, rows, cancellationToken).ConfigureAwait(false);
        var keys = rows.Select(r => r.Key).ToArray();
        var chunk = new Chunk(name, keys.Min(StringComparer.Ordinal)!, keys.Max(StringComparer.Ordinal)!, rows.Count);
        rows.Clear();
        return chunk;
    }
}
