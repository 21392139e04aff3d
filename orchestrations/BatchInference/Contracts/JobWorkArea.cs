namespace Serverless.BatchInference.Contracts;

/// <summary>
/// Names of a job's working files under its output location: page manifests (the keys, which never
/// travel through the engine), page records (the parts each page wrote) and parts. Under a folder of
/// the job's own, so two jobs writing to one output never read each other's files.
/// </summary>
public static class JobWorkArea
{
    /// <summary>The job's working folder, <c>_work/&lt;job&gt;/</c>.</summary>
    public static string Root(string jobId) => $"_work/{jobId}/";

    /// <summary>The manifest of page <paramref name="page"/>: a header line, then one line per image (key, size, ETag).</summary>
    public static string PageManifest(string jobId, int page) => $"{Root(jobId)}pages/page-{page:D6}.jsonl";

    /// <summary>The record of the parts page <paramref name="page"/> wrote, written when the page ends.</summary>
    public static string PageRecord(string jobId, int page) => $"{Root(jobId)}pages/page-{page:D6}.parts.json";

    /// <summary>The rows page <paramref name="page"/> copied from the job's <c>skipExisting</c> output (a part like the others, name relative to <see cref="Root"/>).</summary>
    public static string ExistingPart(int page) => $"parts/page-{page:D6}-existing.jsonl";

    /// <summary>The failed rows of the parent job that a rerun classifies again: its manifest.</summary>
    public static string RerunManifest(string jobId) => $"{Root(jobId)}rerun-manifest.jsonl";

    /// <summary>A part (<see cref="PartNames"/>) in the job's working area.</summary>
    public static string Part(string jobId, string partName) => Root(jobId) + partName;

    /// <summary>The folder of the job's parts (the dashboard samples a running job's first parts).</summary>
    public static string PartsFolder(string jobId) => Root(jobId) + "parts/";

    /// <summary>What merge shard <paramref name="shard"/> counted (rows, failures, classes, samples).</summary>
    public static string ShardStats(string jobId, int shard) => $"{Root(jobId)}merge/shard-{shard:D5}.json";

    /// <summary>The end of the single Parquet file (its footer over every shard's row groups), joined after the shards.</summary>
    public static string ParquetTail(string jobId) => $"{Root(jobId)}merge/predictions-tail.parquet";
}

/// <summary>What a page wrote: its parts in order, each with its item range, and its counts.</summary>
/// <param name="Count">Images of the page.</param>
/// <param name="Parts">Parts in item order (a split unit's pieces in place of the unit).</param>
/// <param name="ReadFailed">Images whose read failed (the heal pass tries them once more).</param>
/// <param name="HealPart">The part of the heal pass, whose rows replace the read_failed rows of the same keys.</param>
/// <param name="ExistingPart">The part of rows copied from the job's <c>skipExisting</c> output (<see cref="JobWorkArea.ExistingPart"/>), merged before the page's own parts.</param>
public sealed record PageRecord(int Count, IReadOnlyList<string> Parts, long ReadFailed = 0, string? HealPart = null, string? ExistingPart = null);
