namespace Serverless.BatchInference.Contracts;

/// <summary>
/// Input of the ListSourcePage activity: list page <paramref name="PageIndex"/> of the job's source.
/// The continuation token is read from the previous page's manifest, never carried here: a local
/// source's token is a key, and keys stay out of the engine.
/// </summary>
public sealed record ListPageInput(JobSpec Job, int PageIndex);

/// <summary>
/// One listed page: its manifest's name in the job's working area (<see cref="JobWorkArea.PageManifest"/>),
/// how many images it holds and whether it is the last. Never the keys.
/// </summary>
/// <param name="Existing">Images of the page whose rows were copied from <see cref="JobSpec.SkipExisting"/> (not in <paramref name="Count"/>).</param>
/// <param name="PassthroughColumns">The job's <see cref="JobSpec.PassthroughColumns"/> with this page's (bounded); null for a job over a prefix.</param>
public sealed record ListPageOutput(int PageIndex, int Count, bool IsLast, string Manifest, int Existing = 0, IReadOnlyList<string>? PassthroughColumns = null);

/// <summary>Input of the ClassifyPage sub-orchestration: the page's index and its image count, never its keys.</summary>
public sealed record PageInput(JobSpec Job, int PageIndex, int Count);

/// <summary>
/// Input of the ClassifyBatch activity: a work unit, items [<paramref name="First"/>, First + <paramref name="Count"/>)
/// of page <paramref name="PageIndex"/>'s manifest. The part name is deterministic, so a rerun overwrites.
/// </summary>
public sealed record ClassifyBatchInput(JobSpec Job, string PartName, int PageIndex, int First, int Count);

/// <summary>Input of the RecordFailures activity: items of a page that could not be classified at all.</summary>
public sealed record RecordFailuresInput(JobSpec Job, string PartName, int PageIndex, int First, int Count, string Code, string Message);

/// <summary>Input of the RecordPage activity: the parts page <paramref name="PageIndex"/> wrote, recorded for the merge.</summary>
public sealed record RecordPageInput(JobSpec Job, int PageIndex, PageRecord Record);

/// <summary>
/// Input of the MergeShard activity: merge pages [<paramref name="FirstPage"/>, FirstPage + <paramref name="PageCount"/>)
/// into predictions shard <paramref name="Shard"/>, from the parts their page records name.
/// </summary>
public sealed record MergeShardInput(JobSpec Job, int Shard, int FirstPage, int PageCount);

/// <summary>
/// Input of the WriteResults activity: join the <paramref name="Shards"/> shards into the job's
/// outputs. Only counts travel, never a list of names. <see cref="Samples"/>: the job's progress over time, for its report.
/// </summary>
/// <param name="MergeStartedUtc">When the merge shards were started: summary.json's <c>merge</c> timing runs from there to the end of the join.</param>
public sealed record WriteResultsInput(JobSpec Job, int Shards, int Pages, double ActivitySeconds, DateTime StartedUtc, DateTime FinishedUtc,
    IReadOnlyList<ProgressSample>? Samples = null, DateTime? MergeStartedUtc = null);

/// <summary>Input of the HealReadFailures activity: classify again the read_failed rows of one page, once.</summary>
public sealed record HealPageInput(JobSpec Job, int PageIndex);

/// <summary>
/// Input of the CheckModel activity, run once before any batch: the model, the batch size its tensors
/// must fit, and the named outputs it must have (<see cref="JobSpec.Outputs"/>).
/// </summary>
public sealed record CheckModelInput(string Model, string? Preset, int BatchSize = 1, IReadOnlyList<string>? Outputs = null);

/// <summary>Output of the CheckModel activity: what the model is, and the SHA-256 of its file, which the job pins.</summary>
public sealed record CheckModelOutput(string Description, string ModelSha256);
