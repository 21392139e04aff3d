using System.Diagnostics;
using Azure.Core.Pipeline;
using Serverless.Orchestrations.Backends.AzureStorage;

namespace Serverless.Orchestrations.Tests.AzureStorage;

/// <summary>Fresh task hub names, test-friendly backend options, and polling for work items.</summary>
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

    /// <summary>Polls <paramref name="fetch"/> until it returns a work item (20 s at most).</summary>
    public static async Task<T> FetchAsync<T>(Func<CancellationToken, Task<T?>> fetch) where T : class
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (await fetch(CancellationToken.None) is { } item)
                return item;
            await Task.Delay(20);
        }
        throw new TimeoutException("No work item came within 20 s.");
    }
}
