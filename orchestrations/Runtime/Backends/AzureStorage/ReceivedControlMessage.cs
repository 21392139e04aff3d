namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>A control-queue message received and not yet deleted; its pop receipt changes with every visibility update.</summary>
internal sealed class ReceivedControlMessage
{
    public required string QueueMessageId { get; init; }

    public required OrchestrationMessage Message { get; init; }

    public required DateTimeOffset InsertedOn { get; init; }

    public string PopReceipt { get; set; } = "";

    public int DequeueCount { get; set; }

    public DateTimeOffset NextVisibleOn { get; set; }
}
