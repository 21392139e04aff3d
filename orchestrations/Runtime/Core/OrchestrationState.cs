namespace Serverless.Orchestrations.Core;

/// <summary>
/// The instance row: what a status query returns. A projection of the history that the worker
/// computes at the end of every turn and hands to the backend with the turn.
/// </summary>
public sealed record OrchestrationState
{
    /// <summary>The instance id (user-chosen or a GUID).</summary>
    public required string InstanceId { get; init; }

    /// <summary>The current execution (changes on ContinueAsNew).</summary>
    public required string ExecutionId { get; init; }

    /// <summary>The orchestrator name.</summary>
    public required string Name { get; init; }

    /// <summary>Pending, Running, Completed, Failed or Terminated.</summary>
    public required OrchestrationRuntimeStatus RuntimeStatus { get; init; }

    /// <summary>The serialized input of the current execution.</summary>
    public string? Input { get; init; }

    /// <summary>The serialized output, once completed.</summary>
    public string? Output { get; init; }

    /// <summary>The serialized custom status set by the orchestrator, if any.</summary>
    public string? CustomStatus { get; init; }

    /// <summary>Why the instance failed (or the termination reason as ErrorMessage).</summary>
    public FailureDetails? FailureDetails { get; init; }

    /// <summary>When the instance was created (scheduled), UTC.</summary>
    public DateTime CreatedAt { get; init; }

    /// <summary>When this row last changed, UTC.</summary>
    public DateTime LastUpdatedAt { get; init; }

    /// <summary>The parent instance id for sub-orchestrations.</summary>
    public string? ParentInstanceId { get; init; }
}
