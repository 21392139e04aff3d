namespace Serverless.Orchestrations.Core;

/// <summary>A durable timer was created; <see cref="HistoryEvent.EventId"/> is its timer id.</summary>
public sealed record TimerCreatedEvent(int EventId, DateTime Timestamp, DateTime FireAt) : HistoryEvent(EventId, Timestamp);

/// <summary>
/// The timer <paramref name="TimerId"/> fired. Sent to the instance itself as a message whose
/// visible-at time is <paramref name="FireAt"/>.
/// </summary>
public sealed record TimerFiredEvent(int EventId, DateTime Timestamp, int TimerId, DateTime FireAt) : HistoryEvent(EventId, Timestamp);
