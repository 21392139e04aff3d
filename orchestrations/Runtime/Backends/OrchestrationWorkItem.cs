namespace Serverless.Orchestrations.Backends;

/// <summary>
/// A locked batch of messages for one orchestration instance. While the lock is held no other
/// work item for the same instance is handed out (by this or any other process).
/// </summary>
public sealed class OrchestrationWorkItem
{
    /// <summary>The instance all <see cref="Messages"/> are for.</summary>
    public required string InstanceId { get; init; }

    /// <summary>Every message for the instance that was visible when fetched, oldest first.</summary>
    public required IReadOnlyList<OrchestrationMessage> Messages { get; init; }

    /// <summary>
    /// How many times these messages have been delivered, this delivery included (1 on first
    /// delivery): the highest delivery count among <see cref="Messages"/>. The worker uses it
    /// to detect poison messages.
    /// </summary>
    public required int DequeueCount { get; init; }

    /// <summary>When the lock expires unless renewed (UTC). Updated by lock renewal.</summary>
    public DateTime LockedUntilUtc { get; set; }

    /// <summary>Backend-private data (receipts, partition, ETag, lease epoch). The worker never reads it.</summary>
    public object? BackendState { get; set; }
}
