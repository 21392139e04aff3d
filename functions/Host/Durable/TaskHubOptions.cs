using Serverless.Jobs.Configuration;

namespace Serverless.Host.Durable;

/// <summary>
/// host.json's <c>extensions:durableTask</c> section in the Azure Functions format, mapped onto
/// DTFx's Azure Storage settings by <see cref="TaskHubSettingsFactory"/> the way the Durable
/// Functions extension maps it. The defaults are what this machine measured best (bench/README.md).
/// </summary>
public sealed class TaskHubOptions
{
    /// <summary>The task hub: its queues (<c>{hub}-control-NN</c>, <c>{hub}-workitems</c>), tables and containers.</summary>
    public string HubName { get; set; } = TaskHubSettings.DefaultHubName;

    /// <summary>Activities run at once in one worker process.</summary>
    public int MaxConcurrentActivityFunctions { get; set; } = TaskHubSettings.DefaultConcurrentActivities;

    /// <summary>Orchestration turns run at once in one worker process.</summary>
    public int MaxConcurrentOrchestratorFunctions { get; set; } = 16;

    /// <summary>Keeps a running orchestration's state in memory between turns, instead of reloading its history.</summary>
    public bool ExtendedSessionsEnabled { get; set; } = true;

    /// <summary>How long an idle orchestration stays in memory with extended sessions.</summary>
    public int ExtendedSessionIdleTimeoutInSeconds { get; set; } = 30;

    /// <summary>
    /// How long shutdown lets running activities finish before it cancels them; what is cancelled
    /// is released to the queue for another worker. Keep it under Kubernetes'
    /// <c>terminationGracePeriodSeconds</c>, less the few seconds the worker needs to stop after it.
    /// </summary>
    public TimeSpan ShutdownDrainTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// What a worker's stop takes after the drain: handing released activities back (up to 5 s) and
    /// stopping the engine (up to ~8 s). The host's stop deadline is the drain plus this; the
    /// manifests' grace period is checked against the same sum (tests/Infra.Tests).
    /// </summary>
    public static TimeSpan StopAfterDrain { get; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long the scheduler entity remembers each orchestration that sent it a message, to put that
    /// sender's messages in order and drop repeats (Durable Functions' <c>entityMessageReorderWindowInMinutes</c>,
    /// 30 there). The memory is stored with the entity's state at every one of its turns, and every page
    /// of a job is a sender: with 30 minutes a 1,000,000-image job's 1,000 pages made each turn write a
    /// blob that grew with the job. A page calls the scheduler one call at a time and a redelivered message
    /// comes back within the queues' visibility timeout (30 s), so a minute covers what the window is for.
    /// </summary>
    public int EntityMessageReorderWindowInMinutes { get; set; } = 1;

    /// <summary>The Azure Storage provider's settings.</summary>
    public TaskHubStorageOptions StorageProvider { get; set; } = new();
}

/// <summary>host.json's <c>extensions:durableTask:storageProvider</c>.</summary>
public sealed class TaskHubStorageOptions
{
    /// <summary>Control-queue partitions (1-16); each is owned by one worker at a time. Fixed for the life of a hub.</summary>
    public int PartitionCount { get; set; } = 4;

    /// <summary>Control-queue messages fetched at a time (1-32).</summary>
    public int ControlQueueBatchSize { get; set; } = 32;

    /// <summary>Longest wait between polls of an idle queue (polling backs off up to it).</summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Visibility of a dequeued control-queue message. Renewed while a turn runs; after a worker
    /// dies its messages come back after this long, so it bounds how long its orchestrations wait.
    /// </summary>
    public TimeSpan ControlQueueVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Visibility of a dequeued activity message, renewed every few seconds while the activity runs.
    /// After a worker dies its batches start again elsewhere this long after their last renewal.
    /// </summary>
    public TimeSpan WorkItemQueueVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a control-queue partition's lease lasts without renewal (DTFx's table partition
    /// manager). After a worker dies, its partitions move to another worker this long after their
    /// last renewal, plus up to <see cref="LeaseAcquireInterval"/>. Self-host only: Durable Functions
    /// keeps DTFx's 30 s. (These three are not in the Functions host.json schema.)
    /// </summary>
    public TimeSpan LeaseInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a worker renews the leases of its partitions.</summary>
    public TimeSpan LeaseRenewInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a worker looks for partitions to take (expired, or to balance them over the workers).</summary>
    public TimeSpan LeaseAcquireInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Crashed attempts of a batch before it is poison (read by the attempt ledger, not by DTFx).</summary>
    public int MaxDequeueCount { get; set; } = Jobs.Attempts.AttemptLedgerOptions.DefaultMaxAttempts;
}
