namespace Serverless.Storage.Results;

/// <summary>The content of <c>summary.json</c>: counts from the merged rows plus the caller's job facts.</summary>
public sealed record JobSummary
{
    /// <summary>The job id.</summary>
    public string? JobId { get; init; }

    /// <summary>The model.</summary>
    public string? Model { get; init; }

    /// <summary>The SHA-256 (lowercase hex) of the model file the job pinned; every row carries it too.</summary>
    public string? ModelSha256 { get; init; }

    /// <summary>The source location.</summary>
    public string? Source { get; init; }

    /// <summary>The output location.</summary>
    public required string Output { get; init; }

    /// <summary>Name of the merged predictions file, relative to <see cref="Output"/>.</summary>
    public required string Predictions { get; init; }

    /// <summary><c>jsonl</c> or <c>csv</c>.</summary>
    public required string Format { get; init; }

    /// <summary>Rows in the predictions file (one per image).</summary>
    public long Total { get; init; }

    /// <summary>Images classified.</summary>
    public long Succeeded { get; init; }

    /// <summary>Images that failed.</summary>
    public long Failed { get; init; }

    /// <summary>Failed images per error code.</summary>
    public IReadOnlyDictionary<string, long> FailuresByReason { get; init; } = new Dictionary<string, long>();

    /// <summary>Top-1 label counts, most frequent first.</summary>
    public IReadOnlyDictionary<string, long> ClassHistogram { get; init; } = new Dictionary<string, long>();

    /// <summary>Part files merged.</summary>
    public int Parts { get; init; }

    /// <summary>Rows dropped because their key was already merged from an earlier part.</summary>
    public long DuplicatesDropped { get; init; }

    /// <summary>Images whose read failed and that the job's second pass classified.</summary>
    public long Healed { get; init; }

    /// <summary>Rows copied from the job's <c>skipExisting</c> output (same key, ETag and model hash) instead of classified; counted in <see cref="Total"/>.</summary>
    public long Skipped { get; init; }

    /// <summary>The job whose failed images this job classified again (a rerun); null otherwise.</summary>
    public string? ParentJob { get; init; }

    /// <summary>Reruns of this job's failed images, oldest first (added when each is submitted).</summary>
    public IReadOnlyList<RerunLink>? Reruns { get; init; }

    /// <summary>Predictions shards (<c>predictions/part-NNNNN</c>), listed in <c>predictions/manifest.json</c>.</summary>
    public int Shards { get; init; }

    /// <summary>When the job started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the job's work ended.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Seconds from start to finish.</summary>
    public double? ElapsedSeconds { get; init; }

    /// <summary>Rows per elapsed second.</summary>
    public double? ImagesPerSecond { get; init; }

    /// <summary>Named durations in seconds, as given by the caller, plus <c>merge</c>.</summary>
    public IReadOnlyDictionary<string, double> TimingsSeconds { get; init; } = new Dictionary<string, double>();
}

/// <summary>A rerun of a job: its id and output location (where its own summary.json is).</summary>
public sealed record RerunLink(string JobId, string Output, DateTimeOffset SubmittedAt);
