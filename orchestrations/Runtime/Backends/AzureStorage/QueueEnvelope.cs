namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>
/// The JSON body of every queue message of the hub: an orchestration message (control queues)
/// or activity requests (work-item queue). When the JSON is over the payload threshold the
/// queue carries only <see cref="Blob"/>, the name of the blob holding the full envelope.
/// </summary>
internal sealed record QueueEnvelope
{
    public OrchestrationMessage? Message { get; init; }

    /// <summary>Several orchestration messages for one instance in one queue message (activity results sent together).</summary>
    public IReadOnlyList<OrchestrationMessage>? Messages { get; init; }

    public ActivityRequest? Activity { get; init; }

    /// <summary>Several activity requests of one turn in one work-item message (a large fan-out; see <see cref="WorkItemPacking"/>).</summary>
    public IReadOnlyList<ActivityRequest>? Activities { get; init; }

    /// <summary>Deliveries of <see cref="Activity"/> before it got this message (it was split out of a pack or handed back): counts toward the poison limit.</summary>
    public int? PriorDeliveries { get; init; }

    public string? Blob { get; init; }
}
