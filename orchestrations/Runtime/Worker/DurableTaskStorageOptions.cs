namespace Serverless.Orchestrations.Worker;

/// <summary>The <c>extensions:durableTask:storageProvider</c> settings.</summary>
public sealed class DurableTaskStorageOptions
{
    /// <summary>Control-queue partitions; instances hash onto them (Azure Storage backend).</summary>
    public int PartitionCount { get; set; } = 4;

    /// <summary>Shortest wait between polls while work keeps coming.</summary>
    public TimeSpan MinQueuePollingInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Longest wait between polls when idle (polling backs off exponentially up to this).</summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Lock duration of orchestration work items (control-queue message visibility).</summary>
    public TimeSpan ControlQueueVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Lock duration of activity work items (work-item queue message visibility).</summary>
    public TimeSpan WorkItemQueueVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Deliveries after which a work item is poison: its activity fails with <c>poison_message</c>.</summary>
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>Most activity requests of one wide fan-out packed into a work-item message (1: one request a message).</summary>
    public int MaxActivitiesPerWorkItemMessage { get; set; } = 32;

    /// <summary>Payloads larger than this (UTF-8 bytes) are stored out of line (blobs).</summary>
    public int LargePayloadThresholdBytes { get; set; } = 45 * 1024;
}
