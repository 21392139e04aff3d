namespace Serverless.Orchestrations.Client;

/// <summary>A filter for listing instances; null criteria match everything.</summary>
public sealed record OrchestrationQuery
{
    /// <summary>Only instances in one of these statuses.</summary>
    public IReadOnlyCollection<OrchestrationRuntimeStatus>? Statuses { get; init; }

    /// <summary>Only instances created at or after this time (UTC).</summary>
    public DateTime? CreatedFrom { get; init; }

    /// <summary>Only instances created before this time (UTC).</summary>
    public DateTime? CreatedTo { get; init; }

    /// <summary>Only instance ids starting with this prefix.</summary>
    public string? InstanceIdPrefix { get; init; }

    /// <summary>Most instances per page.</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>Where the previous page ended; null for the first page.</summary>
    public string? ContinuationToken { get; init; }

    /// <summary>Whether results carry inputs and outputs.</summary>
    public bool FetchInputsAndOutputs { get; init; }
}

/// <summary>One page of instances; pass <paramref name="ContinuationToken"/> back for the next (null: last page).</summary>
public sealed record OrchestrationQueryResult(IReadOnlyList<OrchestrationMetadata> Instances, string? ContinuationToken);
