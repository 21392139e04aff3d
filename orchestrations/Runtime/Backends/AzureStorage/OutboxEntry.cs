namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>
/// One message a turn sends, as kept in the outbox until it is sent: the encoded queue text,
/// the queue, the visible-at time and, for an ExecutionStarted message, the instance to create.
/// </summary>
internal sealed record OutboxEntry(string Queue, string Text, DateTimeOffset? VisibleAt, string? CreatesInstance);
