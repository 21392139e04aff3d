namespace Serverless.Orchestrations.Backends;

/// <summary>A filter for listing instances. Every criterion left null matches everything.</summary>
public sealed record InstanceQuery
{
    /// <summary>Only instances in one of these statuses.</summary>
    public IReadOnlyCollection<OrchestrationRuntimeStatus>? RuntimeStatuses { get; init; }

    /// <summary>Only instances created at or after this time (UTC).</summary>
    public DateTime? CreatedFrom { get; init; }

    /// <summary>Only instances created before this time (UTC).</summary>
    public DateTime? CreatedTo { get; init; }

    /// <summary>Only instances whose id starts with this prefix (ordinal).</summary>
    public string? InstanceIdPrefix { get; init; }

    /// <summary>Most instances per page.</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>The token from the previous page, or null for the first page.</summary>
    public string? ContinuationToken { get; init; }

    /// <summary>Whether rows carry Input and Output (CustomStatus is always returned).</summary>
    public bool FetchInputsAndOutputs { get; init; }
}
