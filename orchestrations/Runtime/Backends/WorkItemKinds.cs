namespace Serverless.Orchestrations.Backends;

/// <summary>The queues a worker fetches from.</summary>
[Flags]
public enum WorkItemKinds
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>Orchestration messages (<see cref="IOrchestrationBackend.GetOrchestrationWorkItemAsync"/>).</summary>
    Orchestration = 1,

    /// <summary>Activity requests (<see cref="IOrchestrationBackend.GetActivityWorkItemAsync"/>).</summary>
    Activity = 2,
}
