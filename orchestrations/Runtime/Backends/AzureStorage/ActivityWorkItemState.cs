namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>The backend's part of an activity work item: the queue message carrying it.</summary>
internal sealed class ActivityWorkItemState(WorkItemMessage message, int priorDeliveries)
{
    public WorkItemMessage Message => message;

    /// <summary>Deliveries of this request in earlier messages (see <see cref="QueueEnvelope.PriorDeliveries"/>).</summary>
    public int PriorDeliveries => priorDeliveries;

    /// <summary>Completed or handed back: a second settle is a bug.</summary>
    public bool Settled { get; set; }
}
