namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>
/// One received work-item queue message and the activity work items it carries (one, or a pack
/// of several from one fan-out). The message is deleted when its last work item is settled
/// (completed, or handed back as a message of its own); until then every work item of the pack
/// shares its lock, renewed for all by whichever renews first.
/// </summary>
internal sealed class WorkItemMessage(string messageId, string popReceipt, DateTimeOffset nextVisibleOn, int dequeueCount, int workItems)
{
    private int _unsettled = workItems;

    public string MessageId => messageId;

    /// <summary>The current pop receipt (each visibility update issues a new one).</summary>
    public string PopReceipt { get; set; } = popReceipt;

    public DateTimeOffset NextVisibleOn { get; set; } = nextVisibleOn;

    /// <summary>The queue's delivery count of this message.</summary>
    public int DequeueCount => dequeueCount;

    /// <summary>How many work items the message carried.</summary>
    public int WorkItems { get; } = workItems;

    /// <summary>Work items not settled yet.</summary>
    public int Unsettled => Volatile.Read(ref _unsettled);

    /// <summary>Serializes lock renewals and the final delete (all use the pop receipt).</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Settles one work item; true when it was the last, so the message can be deleted.</summary>
    public bool Settle() => Interlocked.Decrement(ref _unsettled) == 0;
}
