using Azure.Core.Pipeline;
using Serverless.Orchestrations.Backends.AzureStorage;

namespace Serverless.Orchestrations.Tests.AzureStorage;

/// <summary>Fresh task hub names and test-friendly backend options.</summary>
internal static class TestHubs
{
    public static string NewHubName() => "t" + Guid.NewGuid().ToString("N")[..16];

    public static AzureStorageBackendOptions Options(string connectionString, string? hubName = null, int partitionCount = 4, string? workerId = null, TimeSpan? visibility = null, IReadOnlyList<HttpPipelinePolicy>? policies = null, int minWorkItemMessagesPerTurn = 64, int activityPrefetchCount = 32) => new()
    {
        ConnectionString = connectionString,
        HubName = hubName ?? NewHubName(),
        PartitionCount = partitionCount,
        WorkerId = workerId ?? $"test-{Guid.NewGuid():N}"[..13],
        LeaseDuration = TimeSpan.FromSeconds(15),
        ControlQueueVisibilityTimeout = visibility ?? TimeSpan.FromSeconds(30),
        WorkItemQueueVisibilityTimeout = visibility ?? TimeSpan.FromSeconds(30),
        ClientPolicies = policies ?? [],
        MinWorkItemMessagesPerTurn = minWorkItemMessagesPerTurn,
        ActivityPrefetchCount = activityPrefetchCount,
    };
}
