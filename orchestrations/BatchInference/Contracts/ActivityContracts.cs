namespace Serverless.BatchInference.Contracts;

/// <summary>Input of the ListSourcePage activity: one page of the source listing.</summary>
public sealed record ListPageInput(string Source, string? ContinuationToken, int PageSize);

/// <summary>One listed page: the keys and the token of the next page (null at the end).</summary>
public sealed record ListPageOutput(IReadOnlyList<string> Keys, string? NextToken);

/// <summary>Input of the ClassifyPage sub-orchestration.</summary>
public sealed record PageInput(JobSpec Job, int PageIndex, IReadOnlyList<string> Keys);

/// <summary>Input of the ClassifyBatch activity. The part name is deterministic, so a rerun overwrites.</summary>
public sealed record ClassifyBatchInput(JobSpec Job, string PartName, IReadOnlyList<string> Keys);

/// <summary>
/// Input of the WriteResults activity: merge the parts into the final outputs. Parts are named
/// by (page, batch) through <see cref="PartNames"/>, so only the number of batches of each page
/// travels, never a list of a million names. <see cref="Samples"/>: the job's progress over time, for its report.
/// </summary>
public sealed record WriteResultsInput(JobSpec Job, IReadOnlyList<PageParts> Pages, JobCounts Counts, DateTime StartedUtc, DateTime FinishedUtc,
    IReadOnlyList<ProgressSample>? Samples = null);

/// <summary>Input of the RecordFailures activity: images that could not be classified at all.</summary>
public sealed record RecordFailuresInput(JobSpec Job, string PartName, IReadOnlyList<string> Keys, string Code, string Message);

/// <summary>Input of the CheckModel activity, run once before any batch: the model, and the batch size its tensors must fit.</summary>
public sealed record CheckModelInput(string Model, string? Preset, int BatchSize = 1);
