using Azure.Storage.Queues;
using DurableTask.AzureStorage;

namespace Serverless.Infra.Tests.Support;

/// <summary>The queues DTFx itself creates for a task hub, so KEDA's triggers are compared with the engine's names, not a copy of its naming rule.</summary>
public static class DtfxQueues
{
    /// <summary>Creates the hub (name and partition count from host.json) on the given storage and lists its queues.</summary>
    public static async Task<(string WorkItems, IReadOnlyList<string> Controls)> CreateAsync(string connectionString, HostJsonSettings settings)
    {
        var service = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = settings.HubName,
            PartitionCount = settings.PartitionCount,
            StorageAccountClientProvider = new StorageAccountClientProvider(connectionString),
        });
        await service.CreateIfNotExistsAsync();
        var hubPrefix = settings.HubName.ToLowerInvariant() + "-";
        var queues = new List<string>();
        await foreach (var queue in new QueueServiceClient(connectionString).GetQueuesAsync(prefix: hubPrefix))
            queues.Add(queue.Name);
        var workItems = Xunit.Assert.Single(queues, q => q.EndsWith("-workitems", StringComparison.Ordinal));
        var controls = queues.Where(q => q.Contains("-control-", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Xunit.Assert.Equal(settings.PartitionCount, controls.Count);
        return (workItems, controls);
    }
}
