namespace Serverless.Orchestrations.Core;

/// <summary>A sub-orchestration was started; <see cref="HistoryEvent.EventId"/> is its task id.</summary>
public sealed record SubOrchestrationInstanceCreatedEvent(int EventId, DateTime Timestamp, string Name, string InstanceId, string? Input)
    : HistoryEvent(EventId, Timestamp);

/// <summary>The sub-orchestration of task id <paramref name="TaskScheduledId"/> completed with <paramref name="Result"/>.</summary>
public sealed record SubOrchestrationInstanceCompletedEvent(int EventId, DateTime Timestamp, int TaskScheduledId, string? Result)
    : HistoryEvent(EventId, Timestamp);

/// <summary>The sub-orchestration of task id <paramref name="TaskScheduledId"/> failed or was terminated.</summary>
public sealed record SubOrchestrationInstanceFailedEvent(int EventId, DateTime Timestamp, int TaskScheduledId, FailureDetails FailureDetails)
    : HistoryEvent(EventId, Timestamp);
