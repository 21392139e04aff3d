namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>
/// The names of every Azure Storage resource of a task hub, computed in one place so that the
/// runtime and the KEDA manifests (infra/) can never disagree. Follows the Durable Task Azure
/// Storage provider's conventions: queues are lowercase, tables keep the hub's casing.
/// </summary>
public sealed class TaskHubNames
{
    public TaskHubNames(string hubName, int partitionCount)
    {
        if (string.IsNullOrWhiteSpace(hubName) || !hubName.All(char.IsLetterOrDigit) || !char.IsLetter(hubName[0]) || hubName.Length > 45)
            throw new ArgumentException($"Task hub name '{hubName}' must start with a letter, contain only letters and digits, and be at most 45 characters.", nameof(hubName));
        if (partitionCount is < 1 or > 16)
            throw new ArgumentOutOfRangeException(nameof(partitionCount), partitionCount, "Partition count must be between 1 and 16.");
        HubName = hubName;
        PartitionCount = partitionCount;
    }

    public string HubName { get; }
    public int PartitionCount { get; }

    private string Lower => HubName.ToLowerInvariant();

    /// <summary>The queue activities are dispatched on; the one KEDA scales workers by.</summary>
    public string WorkItemQueue => $"{Lower}-workitems";

    /// <summary>The control queue of partition <paramref name="partition"/> (orchestration messages).</summary>
    public string ControlQueue(int partition) => $"{Lower}-control-{partition:D2}";

    public IReadOnlyList<string> ControlQueues => Enumerable.Range(0, PartitionCount).Select(ControlQueue).ToArray();

    public string HistoryTable => $"{HubName}History";
    public string InstancesTable => $"{HubName}Instances";

    /// <summary>Blob container holding one lease blob per partition.</summary>
    public string LeaseContainer => $"{Lower}-leases";

    /// <summary>Blob container for payloads too large for a queue message or table property.</summary>
    public string PayloadContainer => $"{Lower}-largemessages";
}
