namespace Serverless.Orchestrations.Core;

/// <summary>An activity was scheduled; <see cref="HistoryEvent.EventId"/> is its task id.</summary>
public sealed record TaskScheduledEvent(int EventId, DateTime Timestamp, string Name, string? Input) : HistoryEvent(EventId, Timestamp);

/// <summary>The activity with task id <paramref name="TaskScheduledId"/> returned <paramref name="Result"/> (JSON).</summary>
public sealed record TaskCompletedEvent(int EventId, DateTime Timestamp, int TaskScheduledId, string? Result) : HistoryEvent(EventId, Timestamp);

/// <summary>The activity with task id <paramref name="TaskScheduledId"/> threw.</summary>
public sealed record TaskFailedEvent(int EventId, DateTime Timestamp, int TaskScheduledId, FailureDetails FailureDetails) : HistoryEvent(EventId, Timestamp);
