using Azure.Core.Pipeline;
using Serverless.Orchestrations.Worker;

namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>
/// Settings of <see cref="AzureStorageOrchestrationBackend"/>. Build them from host.json's
/// <c>extensions:durableTask</c> section with <see cref="FromDurableTaskOptions"/>.
/// </summary>
public sealed class AzureStorageBackendOptions
{
    /// <summary>Storage connection string (Azurite: give explicit Blob, Queue and Table endpoints).</summary>
    public required string ConnectionString { get; init; }

    /// <summary>The task hub; every resource is named after it (see <see cref="TaskHubNames"/>).</summary>
    public string HubName { get; init; } = "ServerlessHub";

    /// <summary>Control queues, each owned by one worker at a time through a blob lease.</summary>
    public int PartitionCount { get; init; } = 4;

    /// <summary>Identifies this process in lease blobs and logs. Unique per process by default.</summary>
    public string WorkerId { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Partition lease duration: 15 to 60 seconds (the blob service's range). A dead worker's partitions move after this long.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often leases are renewed, free ones acquired and the load rebalanced. Default: a third of the lease.</summary>
    public TimeSpan? LeaseRenewInterval { get; init; }

    /// <summary>Lock duration of orchestration work items (control-queue message visibility).</summary>
    public TimeSpan ControlQueueVisibilityTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Lock duration of activity work items (work-item queue message visibility).</summary>
    public TimeSpan WorkItemQueueVisibilityTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Most messages taken from a control queue per receive (the service caps it at 32).</summary>
    public int ControlQueueBatchSize { get; init; } = 32;

    /// <summary>
    /// Activity requests taken per receive and held locally until fetched (1 disables prefetch).
    /// A receive is a storage request (on Azurite a sort of the whole queue), so under a fan-out
    /// one receive per 32 activities instead of per 4 matters. The cost: a prefetched request is
    /// hidden from other pods (KEDA scale-out) until fetched here or released on stop, and its
    /// delivery already counts toward the poison limit. Lower it for few, long activities.
    /// </summary>
    public int ActivityPrefetchCount { get; init; } = 32;

    /// <summary>
    /// Most activity requests packed into one work-item message when a turn fans out widely
    /// (see <see cref="WorkItemPacking"/>); 1 disables packing.
    /// </summary>
    public int MaxActivitiesPerWorkItemMessage { get; init; } = 32;

    /// <summary>
    /// A turn's activities are packed only so far that they still fill at least this many
    /// messages: a fan-out of 100 is not packed, one of 5,000 goes out as 157 messages of 32.
    /// </summary>
    public int MinWorkItemMessagesPerTurn { get; init; } = 64;

    /// <summary>
    /// Payloads (queue messages, history events, instance fields) whose UTF-8 JSON is larger than
    /// this go to the payload container and are referenced by name. At most 45 KiB, so that a
    /// Base64 queue message and a binary table property stay under their 64 KiB limits.
    /// </summary>
    public int LargePayloadThresholdBytes { get; init; } = 45 * 1024;

    /// <summary>Most messages sent or deleted at the same time by one operation.</summary>
    public int MaxParallelQueueOperations { get; init; } = 32;

    /// <summary>
    /// Extra pipeline policies added (per call) to every storage client the backend creates:
    /// request counters for profiling, tracing.
    /// </summary>
    public IReadOnlyList<HttpPipelinePolicy> ClientPolicies { get; init; } = [];

    internal TimeSpan EffectiveRenewInterval => LeaseRenewInterval ?? TimeSpan.FromTicks(LeaseDuration.Ticks / 3);

    /// <summary>Options from the runtime's host.json settings (hub name, partition count, visibility timeouts, threshold, packing).</summary>
    public static AzureStorageBackendOptions FromDurableTaskOptions(DurableTaskOptions options, string connectionString) => new()
    {
        ConnectionString = connectionString,
        HubName = options.HubName,
        PartitionCount = options.StorageProvider.PartitionCount,
        ControlQueueVisibilityTimeout = options.StorageProvider.ControlQueueVisibilityTimeout,
        WorkItemQueueVisibilityTimeout = options.StorageProvider.WorkItemQueueVisibilityTimeout,
        LargePayloadThresholdBytes = options.StorageProvider.LargePayloadThresholdBytes,
        MaxActivitiesPerWorkItemMessage = options.StorageProvider.MaxActivitiesPerWorkItemMessage,
    };

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ConnectionString);
        if (LeaseDuration < TimeSpan.FromSeconds(15) || LeaseDuration > TimeSpan.FromSeconds(60))
            throw new ArgumentOutOfRangeException(nameof(LeaseDuration), LeaseDuration, "Blob leases last 15 to 60 seconds.");
        if (EffectiveRenewInterval <= TimeSpan.Zero || EffectiveRenewInterval >= LeaseDuration)
            throw new ArgumentOutOfRangeException(nameof(LeaseRenewInterval), EffectiveRenewInterval, "The renew interval must be shorter than the lease.");
        if (LargePayloadThresholdBytes is < 1024 or > 45 * 1024)
            throw new ArgumentOutOfRangeException(nameof(LargePayloadThresholdBytes), LargePayloadThresholdBytes, "The threshold must be 1 to 45 KiB.");
        if (ControlQueueBatchSize is < 1 or > 32)
            throw new ArgumentOutOfRangeException(nameof(ControlQueueBatchSize), ControlQueueBatchSize, "A receive takes 1 to 32 messages.");
        if (MaxActivitiesPerWorkItemMessage < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxActivitiesPerWorkItemMessage), MaxActivitiesPerWorkItemMessage, "At least one activity per message.");
        if (MinWorkItemMessagesPerTurn < 1)
            throw new ArgumentOutOfRangeException(nameof(MinWorkItemMessagesPerTurn), MinWorkItemMessagesPerTurn, "At least one message per turn.");
        if (ActivityPrefetchCount is < 1 or > 32)
            throw new ArgumentOutOfRangeException(nameof(ActivityPrefetchCount), ActivityPrefetchCount, "A receive takes 1 to 32 messages.");
    }
}
