namespace Serverless.Orchestrations.Core;

/// <summary>An external event (client RaiseEvent or another orchestration's SendEvent) reached the instance.</summary>
public sealed record EventRaisedEvent(int EventId, DateTime Timestamp, string Name, string? Input) : HistoryEvent(EventId, Timestamp);

/// <summary>The orchestration sent event <paramref name="Name"/> to instance <paramref name="InstanceId"/>.</summary>
public sealed record EventSentEvent(int EventId, DateTime Timestamp, string InstanceId, string Name, string? Input) : HistoryEvent(EventId, Timestamp);
