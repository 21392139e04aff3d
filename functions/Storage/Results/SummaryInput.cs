namespace Serverless.Storage.Results;

/// <summary>What the caller knows about a job that the merged rows do not tell.</summary>
public sealed record SummaryInput
{
    /// <summary>The job (orchestration instance) id.</summary>
    public string? JobId { get; init; }

    /// <summary>The model name or path.</summary>
    public string? Model { get; init; }

    /// <summary>The source location.</summary>
    public string? Source { get; init; }

    /// <summary>When the job started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the job's work ended (before the merge); default: now.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Named durations in seconds (e.g. <c>listing</c>, <c>inference</c>, <c>decode</c>).</summary>
    public IReadOnlyDictionary<string, double>? TimingsSeconds { get; init; }
}
