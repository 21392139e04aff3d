using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Backends;

/// <summary>
/// Everything one orchestration turn produced, committed by
/// <see cref="IOrchestrationBackend.CompleteOrchestrationWorkItemAsync"/> as one unit.
/// </summary>
public sealed record OrchestrationTurn
{
    /// <summary>The execution the history belongs to (after this turn).</summary>
    public required string ExecutionId { get; init; }

    /// <summary>
    /// When true the turn began a new execution (ContinueAsNew, or a restart of a finished
    /// instance): <see cref="NewHistory"/> is the whole history of the new execution and
    /// replaces the stored one. When false it is appended to the stored history.
    /// </summary>
    public bool ReplacesHistory { get; init; }

    /// <summary>The history events of this turn, in order.</summary>
    public required IReadOnlyList<HistoryEvent> NewHistory { get; init; }

    /// <summary>Activity requests to enqueue.</summary>
    public IReadOnlyList<ActivityRequest> NewActivities { get; init; } = [];

    /// <summary>
    /// Messages to orchestration instances: to itself (timers with a visible-at time), to its
    /// parent (its completion), to sub-orchestrations (their ExecutionStarted, which creates
    /// them), to other instances (events, terminate requests).
    /// </summary>
    public IReadOnlyList<OrchestrationMessage> NewMessages { get; init; } = [];

    /// <summary>The instance row after the turn; null leaves the row unchanged (messages for an unknown or finished instance).</summary>
    public OrchestrationState? State { get; init; }
}
