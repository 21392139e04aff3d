using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Serverless.Storage.Results;

/// <summary>
/// Writes a job's outputs to a result store: one JSON Lines part per batch under a
/// deterministic name (a rerun of the batch overwrites its part, never adds one), then a
/// merge that streams every part, in batch order, into <c>predictions.jsonl</c> or
/// <c>predictions.csv</c> and writes <c>summary.json</c>.
/// </summary>
public sealed class ResultWriter
{
    /// <summary>Folder of the per-batch parts inside the store.</summary>
    public const string PartsFolder = "parts/";

    /// <summary>Name of the summary file.</summary>
    public const string SummaryName = "summary.json";

    /// <summary>Name of the file of sample rows (<see cref="ResultSamples"/>).</summary>
    public const string SamplesName = ResultSamples.FileName;

    private static readonly JsonSerializerOptions SummaryOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Creates a writer over <paramref name="store"/>.</summary>
    public ResultWriter(IResultStore store) => Store = store;

    /// <summary>The store written to.</summary>
    public IResultStore Store { get; }

    /// <summary>The part name of a batch: <c>parts/part-000042.jsonl</c>.</summary>
    public static string PartName(int batchId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batchId);
        return $"{PartsFolder}part-{batchId.ToString("D6", CultureInfo.InvariantCulture)}.jsonl";
    }

    /// <summary>The merged file's name for a format.</summary>
    public static string PredictionsName(PredictionFormat format) =>
        format == PredictionFormat.Csv ? "predictions.csv" : "predictions.jsonl";

    /// <summary>Writes (or rewrites) the part of batch <paramref name="batchId"/>.</summary>
    public Task<PartInfo> WritePartAsync(int batchId, IReadOnlyCollection<PredictionRow> rows, CancellationToken cancellationToken = default) =>
        WritePartAsync(PartName(batchId), rows, cancellationToken, batchId);

    /// <summary>
    /// Writes a part under a caller-chosen deterministic name (<c>parts/part-*.jsonl</c>): the
    /// orchestrator names parts by page and batch. Overwrites, so a rerun never duplicates.
    /// </summary>
    public async Task<PartInfo> WritePartAsync(string name, IReadOnlyCollection<PredictionRow> rows, CancellationToken cancellationToken = default, int batchId = -1)
    {
        if (!IsPartName(name))
            throw new ArgumentException($"A part name must look like {PartsFolder}part-<id>.jsonl, not '{name}'.", nameof(name));
        using var buffer = new MemoryStream();
        await PredictionJson.WriteAsync(buffer, rows, cancellationToken).ConfigureAwait(false);
        await Store.WriteAsync(name, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken).ConfigureAwait(false);
        return new PartInfo(batchId, name, rows.Count, rows.Count(r => r.Failed));
    }

    /// <summary>Writes (or overwrites) <paramref name="name"/> with <paramref name="rows"/> as JSON Lines: a job's part, whatever its folder.</summary>
    public async Task WriteRowsAsync(string name, IReadOnlyCollection<PredictionRow> rows, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await PredictionJson.WriteAsync(buffer, rows, cancellationToken).ConfigureAwait(false);
        await Store.WriteAsync(name, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one part back (tests, the results command).</summary>
    public async Task<IReadOnlyList<PredictionRow>> ReadPartAsync(int batchId, CancellationToken cancellationToken = default)
    {
        var bytes = await Store.ReadAsync(PartName(batchId), cancellationToken).ConfigureAwait(false);
        return Encoding.UTF8.GetString(bytes)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(PredictionJson.Parse)
            .ToList();
    }

    /// <summary>
    /// Merges every part under <c>parts/</c> into the predictions file and writes
    /// <c>summary.json</c> and <c>samples.json</c>. Streams: memory holds one part at a time plus
    /// 8 bytes per key (to drop a key merged twice). Safe to rerun: the outputs are overwritten.
    /// </summary>
    public async Task<JobSummary> MergeAsync(PredictionFormat format, SummaryInput input, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var parts = await ListPartsAsync(cancellationToken).ConfigureAwait(false);
        var predictionsName = PredictionsName(format);
        MergeStats? stats = null;
        await Store.WriteAsync(predictionsName, async (output, ct) =>
        {
            // May run again if the write is retried: start from clean counters each time.
            var run = new MergeStats();
            await using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            if (format == PredictionFormat.Csv)
            {
                await writer.WriteLineAsync(PredictionCsv.Header).ConfigureAwait(false);
            }

            foreach (var part in parts)
            {
                await using var stream = await Store.OpenReadAsync(part, ct).ConfigureAwait(false);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
                {
                    if (line.Length == 0)
                    {
                        continue;
                    }

                    var row = PredictionJson.Parse(line);
                    if (!run.Add(row))
                    {
                        continue;
                    }

                    await writer.WriteLineAsync(format == PredictionFormat.Csv ? PredictionCsv.Format(row) : line).ConfigureAwait(false);
                }
            }

            await writer.FlushAsync(ct).ConfigureAwait(false);
            stats = run;
        }, cancellationToken).ConfigureAwait(false);

        var summary = BuildSummary(format, input, parts.Count, stats!, clock.Elapsed);
        await Store.WriteAsync(SamplesName, stats!.Samples.ToSamples().ToJson(), cancellationToken).ConfigureAwait(false);
        await Store.WriteAsync(SummaryName, JsonSerializer.SerializeToUtf8Bytes(summary, SummaryOptions), cancellationToken).ConfigureAwait(false);
        return summary;
    }

    /// <summary>Reads <c>summary.json</c> back.</summary>
    public async Task<JobSummary> ReadSummaryAsync(CancellationToken cancellationToken = default)
    {
        var bytes = await Store.ReadAsync(SummaryName, cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize<JobSummary>(bytes, SummaryOptions)
            ?? throw new FormatException($"{SummaryName} is empty.");
    }

    /// <summary>
    /// The job's sample rows: <c>samples.json</c> once the job is merged; before that, a sample of
    /// its first <paramref name="maxParts"/> parts, so a running job shows some too.
    /// </summary>
    public Task<ResultSamples> ReadSamplesAsync(int maxParts = 4, CancellationToken cancellationToken = default) =>
        ReadSamplesAsync(PartsFolder, maxParts, cancellationToken);

    /// <summary>As <see cref="ReadSamplesAsync(int, CancellationToken)"/>, with a running job's parts under <paramref name="partsFolder"/>.</summary>
    public async Task<ResultSamples> ReadSamplesAsync(string partsFolder, int maxParts = 4, CancellationToken cancellationToken = default)
    {
        if (await Store.ExistsAsync(SamplesName, cancellationToken).ConfigureAwait(false))
            return ResultSamples.Parse(await Store.ReadAsync(SamplesName, cancellationToken).ConfigureAwait(false));
        var sampler = new ResultSampler();
        var read = 0;
        await foreach (var name in Store.ListAsync(partsFolder, cancellationToken).ConfigureAwait(false))
        {
            if (!name.EndsWith(".jsonl", StringComparison.Ordinal))
                continue;
            var text = Encoding.UTF8.GetString(await Store.ReadAsync(name, cancellationToken).ConfigureAwait(false));
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                sampler.Add(PredictionJson.Parse(line));
            if (++read == maxParts)
                break;
        }
        return sampler.ToSamples();
    }

    /// <summary>The part names present, in batch order.</summary>
    public async Task<IReadOnlyList<string>> ListPartsAsync(CancellationToken cancellationToken = default)
    {
        // Part ids are zero-padded, so ordinal order of the names is the order of the batches.
        var parts = new List<string>();
        await foreach (var name in Store.ListAsync(PartsFolder, cancellationToken).ConfigureAwait(false))
        {
            if (IsPartName(name))
            {
                parts.Add(name);
            }
        }

        parts.Sort(StringComparer.Ordinal);
        return parts;
    }

    private static bool IsPartName(string name) =>
        name.StartsWith(PartsFolder + "part-", StringComparison.Ordinal) && name.EndsWith(".jsonl", StringComparison.Ordinal)
        && name.IndexOf('/', PartsFolder.Length) < 0;

    private JobSummary BuildSummary(PredictionFormat format, SummaryInput input, int partCount, MergeStats stats, TimeSpan merge)
    {
        var finished = input.FinishedAt ?? DateTimeOffset.UtcNow;
        double? elapsed = input.StartedAt is { } started ? Math.Max(0, (finished - started).TotalSeconds) : null;
        var timings = new Dictionary<string, double>(input.TimingsSeconds ?? new Dictionary<string, double>())
        {
            ["merge"] = Math.Round(merge.TotalSeconds, 3),
        };
        return new JobSummary
        {
            JobId = input.JobId,
            Model = input.Model,
            Source = input.Source,
            Output = Store.Location.ToString(),
            Predictions = PredictionsName(format),
            Format = format == PredictionFormat.Csv ? "csv" : "jsonl",
            Total = stats.Total,
            Succeeded = stats.Total - stats.Failed,
            Failed = stats.Failed,
            FailuresByReason = stats.FailuresByReason.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
                .ToDictionary(p => p.Key, p => p.Value),
            ClassHistogram = stats.Classes.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
                .ToDictionary(p => p.Key, p => p.Value),
            Parts = partCount,
            DuplicatesDropped = stats.Duplicates,
            StartedAt = input.StartedAt,
            FinishedAt = finished,
            ElapsedSeconds = elapsed is { } e ? Math.Round(e, 3) : null,
            ImagesPerSecond = elapsed is > 0 ? Math.Round(stats.Total / elapsed.Value, 2) : null,
            TimingsSeconds = timings,
        };
    }

    private sealed class MergeStats
    {
        private readonly HashSet<ulong> seen = [];

        public long Total { get; private set; }

        public long Failed { get; private set; }

        public long Duplicates { get; private set; }

        public Dictionary<string, long> FailuresByReason { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, long> Classes { get; } = new(StringComparer.Ordinal);

        public ResultSampler Samples { get; } = new();

        /// <summary>Counts the row; false when its key was merged before (the row is dropped).</summary>
        public bool Add(PredictionRow row)
        {
            if (!seen.Add(KeyHash.Of(row.Key)))
            {
                Duplicates++;
                return false;
            }

            Total++;
            Samples.Add(row);
            if (row.ErrorCode is { } code)
            {
                Failed++;
                FailuresByReason[code] = FailuresByReason.GetValueOrDefault(code) + 1;
            }
            else if (row.Top.Count > 0)
            {
                Classes[row.Top[0].Label] = Classes.GetValueOrDefault(row.Top[0].Label) + 1;
            }

            return true;
        }
    }
}
