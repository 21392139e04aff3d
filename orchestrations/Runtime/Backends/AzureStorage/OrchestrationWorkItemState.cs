using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>The backend's part of an orchestration work item.</summary>
internal sealed class OrchestrationWorkItemState
{
    public required ControlQueuePartition Partition { get; init; }

    /// <summary>The queue messages behind the work item's messages (duplicates already removed).</summary>
    public required List<ReceivedControlMessage> Messages { get; init; }

    public required InstanceCacheEntry Entry { get; init; }

    /// <summary>Events read by a cold load at fetch time, handed to the worker by the next history request.</summary>
    public IReadOnlyList<HistoryEvent>? LoadedEvents { get; set; }

    /// <summary>Set once the instance lock was released (completed, abandoned or lost).</summary>
    public bool Released { get; set; }
}
