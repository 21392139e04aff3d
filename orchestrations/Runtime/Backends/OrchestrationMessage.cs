using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Backends;

/// <summary>
/// A message for an orchestration instance: a start request, an activity or sub-orchestration
/// result, a fired timer, an external event, a terminate request.
/// </summary>
/// <param name="MessageId">
/// Idempotency id, stable across retries of the turn (or activity) that produced it: the same
/// logical message always carries the same id, so a backend may de-duplicate on it (e.g. as the
/// row key of an outbox row). Consumers tolerate duplicates anyway (duplicate completions are
/// ignored by the replay engine).
/// </param>
/// <param name="TargetInstanceId">The instance the message is for; the backend routes on it.</param>
/// <param name="Event">The payload, appended to the target's history when the target processes it.</param>
public sealed record OrchestrationMessage(string MessageId, string TargetInstanceId, HistoryEvent Event)
{
    /// <summary>
    /// The execution the message is for, or null for "whichever is current". Completions carry
    /// it so that results of an execution that has since continued-as-new are dropped by the
    /// worker instead of completing the new execution's task of the same id.
    /// </summary>
    public string? TargetExecutionId { get; init; }

    /// <summary>
    /// UTC time before which the message must not be delivered (durable timers); null means
    /// now. A backend delivers the message in a work item no earlier than this time.
    /// </summary>
    public DateTime? VisibleAtUtc { get; init; }
}
