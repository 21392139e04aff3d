namespace Serverless.Orchestrations.Core;

/// <summary>
/// First event of every execution; as a message, it creates the instance. A new execution id
/// is minted per start and per ContinueAsNew.
/// </summary>
public sealed record ExecutionStartedEvent(
    int EventId,
    DateTime Timestamp,
    string Name,
    string InstanceId,
    string ExecutionId,
    string? Input,
    ParentInstance? Parent = null,
    DateTime? ScheduledStartTime = null) : HistoryEvent(EventId, Timestamp);

/// <summary>
/// The parent of a sub-orchestration: where its completion is sent, and which of the parent's
/// tasks (<paramref name="TaskScheduledId"/>) it completes.
/// </summary>
public sealed record ParentInstance(string Name, string InstanceId, string ExecutionId, int TaskScheduledId);

/// <summary>
/// Starts every turn. Its timestamp is the orchestration's <c>CurrentUtcDateTime</c> for the
/// code that runs in that turn, on first execution and on every replay alike.
/// </summary>
public sealed record OrchestratorStartedEvent(int EventId, DateTime Timestamp) : HistoryEvent(EventId, Timestamp);

/// <summary>Last event of an execution that ended (Completed, Failed or Terminated).</summary>
public sealed record ExecutionCompletedEvent(
    int EventId,
    DateTime Timestamp,
    OrchestrationRuntimeStatus Status,
    string? Result,
    FailureDetails? FailureDetails = null) : HistoryEvent(EventId, Timestamp);

/// <summary>
/// A request to terminate (as a message); recorded in history when the instance obeys it. The
/// worker also sends it to every running sub-orchestration of the instance.
/// </summary>
public sealed record ExecutionTerminatedEvent(int EventId, DateTime Timestamp, string? Reason) : HistoryEvent(EventId, Timestamp);
