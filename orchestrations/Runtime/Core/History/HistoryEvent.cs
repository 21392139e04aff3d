using System.Text.Json.Serialization;

namespace Serverless.Orchestrations.Core;

/// <summary>
/// One event of an orchestration's event-sourced history, and the payload of every message an
/// instance receives. Serialized with System.Text.Json as a polymorphic record; the
/// <c>$type</c> discriminator names the concrete event (see <see cref="HistoryJson"/>).
/// </summary>
/// <param name="EventId">
/// The sequence id for events the orchestrator itself caused (TaskScheduled, TimerCreated,
/// SubOrchestrationInstanceCreated, EventSent): the n-th scheduling call of the execution.
/// -1 for events that come from outside (completions, timers fired, raised events).
/// </param>
/// <param name="Timestamp">UTC time the event was created.</param>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(ExecutionStartedEvent), "ExecutionStarted")]
[JsonDerivedType(typeof(OrchestratorStartedEvent), "OrchestratorStarted")]
[JsonDerivedType(typeof(ExecutionCompletedEvent), "ExecutionCompleted")]
[JsonDerivedType(typeof(ExecutionTerminatedEvent), "ExecutionTerminated")]
[JsonDerivedType(typeof(TaskScheduledEvent), "TaskScheduled")]
[JsonDerivedType(typeof(TaskCompletedEvent), "TaskCompleted")]
[JsonDerivedType(typeof(TaskFailedEvent), "TaskFailed")]
[JsonDerivedType(typeof(SubOrchestrationInstanceCreatedEvent), "SubOrchestrationInstanceCreated")]
[JsonDerivedType(typeof(SubOrchestrationInstanceCompletedEvent), "SubOrchestrationInstanceCompleted")]
[JsonDerivedType(typeof(SubOrchestrationInstanceFailedEvent), "SubOrchestrationInstanceFailed")]
[JsonDerivedType(typeof(TimerCreatedEvent), "TimerCreated")]
[JsonDerivedType(typeof(TimerFiredEvent), "TimerFired")]
[JsonDerivedType(typeof(EventRaisedEvent), "EventRaised")]
[JsonDerivedType(typeof(EventSentEvent), "EventSent")]
public abstract record HistoryEvent(int EventId, DateTime Timestamp);
