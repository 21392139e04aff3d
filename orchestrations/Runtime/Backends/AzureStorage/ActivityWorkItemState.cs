namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>The backend's part of an activity work item: the queue message and its current pop receipt.</summary>
internal sealed class ActivityWorkItemState(string queueMessageId, string popReceipt)
{
    public string QueueMessageId => queueMessageId;

    public string PopReceipt { get; set; } = popReceipt;
}
