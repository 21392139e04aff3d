namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>A control-queue message received and not yet deleted; its pop receipt changes with every visibility update.</summary>
internal sealed class ReceivedControlMessage
{
    public required string QueueMessageId { get; init; }

    /// <summary>
    /// The orchestration messages the queue message carries, all for one instance (usually one;
    /// several when activity results were sent together). Duplicates are removed before a turn.
    /// </summary>
    public required IReadOnlyList<OrchestrationMessage> Messages { get; set; }

    public string TargetInstanceId => Messages[0].TargetInstanceId;

    public required DateTimeOffset InsertedOn { get; init; }

    public string PopReceipt { get; set; } = "";

    public int DequeueCount { get; set; }

    public DateTimeOffset NextVisibleOn { get; set; }
}
