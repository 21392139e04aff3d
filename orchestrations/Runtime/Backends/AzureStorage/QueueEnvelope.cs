namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>
/// The JSON body of every queue message of the hub: an orchestration message (control queues)
/// or an activity request (work-item queue). When the JSON is over the payload threshold the
/// queue carries only <see cref="Blob"/>, the name of the blob holding the full envelope.
/// </summary>
internal sealed record QueueEnvelope
{
    public OrchestrationMessage? Message { get; init; }

    /// <summary>Several orchestration messages for one instance in one queue message (activity results sent together).</summary>
    public IReadOnlyList<OrchestrationMessage>? Messages { get; init; }

    public ActivityRequest? Activity { get; init; }

    public string? Blob { get; init; }
}
