using System.Text.Json;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Reports;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Jobs.Merge;

/// <summary>
/// The last step of the merge: adds up the shards' stats into summary.json (counts, failures,
/// the exact class histogram) and samples.json, writes the shards' manifest
/// (<c>predictions/manifest.json</c>, as Spark and Ray list their part files), joins the shards
/// into the single predictions file without a local copy when the job has at most
/// <see cref="JobSpec.SingleFileMaxImages"/> images, and renders report.html.
/// </summary>
public sealed class ResultsJoin(IResultStore store)
{
    /// <summary>The shards' manifest beside them.</summary>
    public const string ManifestName = "predictions/manifest.json";

    /// <summary>The single Parquet file of a job of <c>format: parquet</c>.</summary>
    public const string ParquetName = "predictions.parquet";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Joins <paramref name="shards"/> shards of <paramref name="job"/>; returns the summary written.</summary>
    /// <param name="mergeStarted">When the merge began (its shards started): the summary's <c>merge</c> timing runs from there.</param>
    public async Task<JobSummary> JoinAsync(JobSpec job, int shards, SummaryInput input, IReadOnlyList<ProgressSample> progress, DateTimeOffset? mergeStarted,
        CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var merger = new ShardMerger(store);
        var stats = new List<ShardStats>(shards);
        for (var s = 0; s < shards; s++)
            stats.Add(await merger.ReadStatsAsync(job.JobId, s, cancellationToken).ConfigureAwait(false));
        var total = stats.Sum(s => s.Rows);
        await store.WriteAsync(ManifestName, JsonSerializer.SerializeToUtf8Bytes(new
        {
            format = job.Format,
            rows = total,
            header = job.Format == "csv" ? "in the first part only" : null,
            parts = stats.Select(s => new { name = s.Name, rows = s.Rows, bytes = s.Bytes }),
        }, Json), cancellationToken).ConfigureAwait(false);

        var format = job.Format == "csv" ? PredictionFormat.Csv : PredictionFormat.Jsonl;
        var single = total <= job.SingleFileMaxImages;
        var predictions = !single ? ManifestName : job.Format == "parquet" ? ParquetName : ResultWriter.PredictionsName(format);
        // Parquet shards are joined as they are, followed by one footer that lists all their row groups.
        if (single && job.Format == "parquet")
        {
            var tail = JobWorkArea.ParquetTail(job.JobId);
            await store.WriteAsync(tail, ParquetFooter.Join(stats.Select(s => (s.ParquetFooter ?? throw new JobDataMissingException(
                $"the merge shard {s.Name} has no Parquet footer in its stats (written by an older version?): merge the job again"), s.Bytes)).ToArray()),
                cancellationToken).ConfigureAwait(false);
            await store.ConcatenateAsync(predictions, [.. stats.Select(s => s.Name), tail], cancellationToken).ConfigureAwait(false);
        }
        else if (single)
            await store.ConcatenateAsync(predictions, stats.Select(s => s.Name).ToArray(), cancellationToken).ConfigureAwait(false);

        var sampler = new ResultSampler();
        foreach (var row in stats.SelectMany(s => s.Samples.Classified.Concat(s.Samples.Failed)))
            sampler.Add(row);
        var samples = sampler.ToSamples();
        var summary = Summary(job, input, stats, predictions, clock.Elapsed, mergeStarted);
        await store.WriteAsync(ResultWriter.SamplesName, samples.ToJson(), cancellationToken).ConfigureAwait(false);
        await store.WriteAsync(ResultWriter.SummaryName, JsonSerializer.SerializeToUtf8Bytes(summary, Json), cancellationToken).ConfigureAwait(false);
        await store.WriteAsync(JobReport.FileName, JobReport.Render(summary, progress, samples), cancellationToken).ConfigureAwait(false);
        return summary;
    }

    private JobSummary Summary(JobSpec job, SummaryInput input, List<ShardStats> stats, string predictions, TimeSpan join, DateTimeOffset? mergeStarted)
    {
        var finished = input.FinishedAt ?? DateTimeOffset.UtcNow;
        double? elapsed = input.StartedAt is { } started ? Math.Max(0, (finished - started).TotalSeconds) : null;
        var total = stats.Sum(s => s.Rows);
        var failed = stats.Sum(s => s.Failed);
        var timings = new Dictionary<string, double>(input.TimingsSeconds ?? new Dictionary<string, double>()) { ["join"] = Math.Round(join.TotalSeconds, 3) };
        if (mergeStarted is { } merge)
            timings["merge"] = Math.Round(Math.Max(0, (DateTimeOffset.UtcNow - merge).TotalSeconds), 3);
        return new JobSummary
        {
            JobId = job.JobId,
            Model = job.Model,
            ModelSha256 = job.ModelSha256,
            Source = job.Source,
            Output = store.Location.ToString(),
            Predictions = predictions,
            Format = job.Format is "csv" or "parquet" ? job.Format : "jsonl",
            Total = total,
            Succeeded = total - failed,
            Failed = failed,
            FailuresByReason = Sum(stats.Select(s => s.FailuresByReason)),
            ClassHistogram = Sum(stats.Select(s => s.Classes)),
            Parts = stats.Sum(s => s.Parts),
            DuplicatesDropped = stats.Sum(s => s.DuplicatesDropped),
            Healed = stats.Sum(s => s.Healed),
            Skipped = stats.Sum(s => s.Skipped),
            ParentJob = job.ParentJob,
            Shards = stats.Count,
            StartedAt = input.StartedAt,
            FinishedAt = finished,
            ElapsedSeconds = elapsed is { } e ? Math.Round(e, 3) : null,
            ImagesPerSecond = elapsed is > 0 ? Math.Round(total / elapsed.Value, 2) : null,
            TimingsSeconds = timings,
        };
    }

    private static Dictionary<string, long> Sum(IEnumerable<Dictionary<string, long>> counts)
    {
        var sum = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var c in counts)
            foreach (var (key, value) in c)
                sum[key] = sum.GetValueOrDefault(key) + value;
        return sum.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value);
    }
}
