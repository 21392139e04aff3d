using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>
/// A task hub in Azure Storage (or Azurite), laid out the way the Durable Task Azure Storage
/// provider does: N control queues (instances hashed onto them, each owned by one worker
/// through a blob lease), one work-item queue for activities (the queue KEDA scales on), a
/// History table (one partition per instance, fenced by a sentinel row's ETag) and an
/// Instances table, with large payloads in a blob container.
/// <para>
/// A turn commits in this order: history delta + outbox in the instance's History partition
/// (fenced by ETag), then the outbox messages (idempotent ids; duplicates are dropped on
/// receive), then the consumed input messages are deleted. A crash between any two steps
/// leaves the inputs in the queue; their next delivery finds the committed history, re-sends
/// the outbox still present, and drops the inputs as already consumed.
/// </para>
/// </summary>
public sealed partial class AzureStorageOrchestrationBackend : IOrchestrationBackend, IOrchestrationQueryBackend, IAsyncDisposable
{
    // Queue messages never expire on their own (timers and idle instances may wait for days).
    private static readonly TimeSpan InfiniteTimeToLive = TimeSpan.FromSeconds(-1);
    private static readonly TimeSpan MaxVisibilityDelay = TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1);

    // Results folded into one control message at most (larger ones go through the payload blob anyway).
    private const int MaxResultsPerMessage = 64;

    private readonly AzureStorageBackendOptions _options;
    private readonly ILogger _logger;
    private readonly QueueServiceClient _queueService;
    private readonly TableServiceClient _tableService;
    private readonly BlobServiceClient _blobService;
    private readonly QueueClient _workItemQueue;
    private readonly QueueClient[] _controlQueues;
    private readonly Dictionary<string, QueueClient> _queuesByName;
    private readonly Dictionary<string, int> _controlQueueIndex;
    private readonly BlobContainerClient _payloadContainer;
    private readonly BlobContainerClient _leaseContainer;
    private readonly LargePayloadStore _payloads;
    private readonly QueueMessageCodec _codec;
    private readonly InstanceStateCodec _stateCodec;
    private readonly HistoryStore _history;
    private readonly InstanceStore _instances;
    private readonly PartitionLeaseManager _leases;
    private readonly ConcurrentDictionary<int, ControlQueuePartition> _partitions = new();
    private readonly ConcurrentDictionary<string, InstanceCacheEntry> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<Task> _releases = [];
    private readonly ResultSender _results;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private bool _running;
    private bool _everStarted;
    private int _nextPartition;

    /// <summary>Creates the backend; nothing is contacted until a method is called.</summary>
    public AzureStorageOrchestrationBackend(AzureStorageBackendOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<AzureStorageOrchestrationBackend>();
        Names = new TaskHubNames(options.HubName, options.PartitionCount);

        _queueService = new QueueServiceClient(options.ConnectionString, WithPolicies(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }));
        _tableService = new TableServiceClient(options.ConnectionString, WithPolicies(new TableClientOptions()));
        _blobService = new BlobServiceClient(options.ConnectionString, WithPolicies(new BlobClientOptions()));
        _workItemQueue = _queueService.GetQueueClient(Names.WorkItemQueue);
        _controlQueues = Names.ControlQueues.Select(_queueService.GetQueueClient).ToArray();
        _queuesByName = _controlQueues.Append(_workItemQueue).ToDictionary(q => q.Name);
        _controlQueueIndex = _controlQueues.Select((q, i) => (q.Name, i)).ToDictionary(p => p.Name, p => p.i);
        _payloadContainer = _blobService.GetBlobContainerClient(Names.PayloadContainer);
        _leaseContainer = _blobService.GetBlobContainerClient(Names.LeaseContainer);
        _payloads = new LargePayloadStore(_payloadContainer, options.LargePayloadThresholdBytes);
        _codec = new QueueMessageCodec(_payloads);
        _stateCodec = new InstanceStateCodec(_payloads);
        _history = new HistoryStore(_tableService.GetTableClient(Names.HistoryTable), _payloads);
        _instances = new InstanceStore(_tableService.GetTableClient(Names.InstancesTable), _stateCodec);
        _leases = new PartitionLeaseManager(_leaseContainer, Names, options.WorkerId, options.LeaseDuration, options.EffectiveRenewInterval, _logger);
        _results = new ResultSender(SendResultsAsync, MaxResultsPerMessage);
        _leases.PartitionAcquired += OnPartitionAcquired;
        _leases.PartitionLost += OnPartitionLost;
    }

    /// <summary>
    /// Test hook called between the steps of a commit ("history-committed", "outbox-sent"):
    /// throwing there leaves storage exactly as a process dying at that point would.
    /// </summary>
    internal Action<string>? CrashPoint { get; set; }

    internal HistoryStore History => _history;

    /// <summary>The names of the hub's queues, tables and containers.</summary>
    public TaskHubNames Names { get; }

    /// <summary>This process's id in lease blobs.</summary>
    public string WorkerId => _options.WorkerId;

    /// <summary>The control-queue partitions this process owns now.</summary>
    public IReadOnlyList<int> OwnedPartitions => _leases.OwnedPartitions;

    /// <summary>The partition an instance's messages go to.</summary>
    public int PartitionOf(string instanceId) => PartitionHash.PartitionOf(instanceId, Names.PartitionCount);

    /// <summary>Every partition's lease as stored (held or not, and by which worker): for operators and tests.</summary>
    public Task<IReadOnlyDictionary<int, PartitionLeaseInfo>> GetPartitionLeasesAsync(CancellationToken cancellationToken = default) =>
        _leases.ReadLeasesAsync(cancellationToken);

    /// <summary>Runs one lease renew / acquire / balance pass now (tests and fast hand-over).</summary>
    public Task RebalancePartitionsAsync(CancellationToken cancellationToken = default) => _leases.RunCycleAsync(cancellationToken);

    /// <inheritdoc/>
    public async Task CreateTaskHubAsync(CancellationToken cancellationToken = default)
    {
        await Task.WhenAll(_queuesByName.Values.Select(q => q.CreateIfNotExistsAsync(cancellationToken: cancellationToken))).ConfigureAwait(false);
        await _history.Table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        await _instances.Table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        await _payloadContainer.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await _leases.EnsureLeaseBlobsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task DeleteTaskHubAsync(CancellationToken cancellationToken = default)
    {
        await Task.WhenAll(_queuesByName.Values.Select(q => q.DeleteIfExistsAsync(cancellationToken))).ConfigureAwait(false);
        await _history.Table.DeleteAsync(cancellationToken).ConfigureAwait(false);
        await _instances.Table.DeleteAsync(cancellationToken).ConfigureAwait(false);
        await _payloadContainer.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await _leaseContainer.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        _cache.Clear();
    }

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_running)
                return;
            await CreateTaskHubAsync(cancellationToken).ConfigureAwait(false);
            await _leases.StartAsync(cancellationToken).ConfigureAwait(false);
            _running = true;
            _everStarted = true;
        }
        finally
        {
            _lifecycle.Release();
        }
        _logger.LogInformation("Worker {Worker} started on task hub {Hub} owning partitions [{Partitions}]",
            WorkerId, Names.HubName, string.Join(",", _leases.OwnedPartitions));
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _running = false;
            _everStarted = true;
            await _leases.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
        await ReleaseBufferedActivitiesAsync(cancellationToken).ConfigureAwait(false);
        while (_releases.TryTake(out var release))
            await release.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<bool> CreateOrchestrationInstanceAsync(OrchestrationMessage startMessage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(startMessage);
        if (startMessage.Event is not ExecutionStartedEvent started)
            throw new ArgumentException("A start message carries an ExecutionStartedEvent.", nameof(startMessage));
        if (!await _instances.TryCreatePendingAsync(PendingState(started), cancellationToken).ConfigureAwait(false))
            return false;
        var text = await _codec.EncodeAsync(startMessage, cancellationToken).ConfigureAwait(false);
        await SendAsync(ControlQueueOf(startMessage.TargetInstanceId), text, startMessage.VisibleAtUtc, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc/>
    public async Task SendMessageAsync(OrchestrationMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (await _instances.ReadRowAsync(message.TargetInstanceId, includePayloads: false, cancellationToken).ConfigureAwait(false) is null)
        {
            _logger.LogDebug("Dropped message {MessageId} for unknown instance {Instance}", message.MessageId, message.TargetInstanceId);
            return;
        }
        var text = await _codec.EncodeAsync(message, cancellationToken).ConfigureAwait(false);
        await SendAsync(ControlQueueOf(message.TargetInstanceId), text, message.VisibleAtUtc, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A process that fetches without calling <see cref="StartAsync"/> first gets started on first use (never after a stop).</summary>
    private Task EnsureStartedAsync(CancellationToken cancellationToken) =>
        _running || _everStarted ? Task.CompletedTask : StartAsync(cancellationToken);

    private T WithPolicies<T>(T clientOptions) where T : Azure.Core.ClientOptions
    {
        foreach (var policy in _options.ClientPolicies)
            clientOptions.AddPolicy(policy, Azure.Core.HttpPipelinePosition.PerCall);
        return clientOptions;
    }

    private QueueClient ControlQueueOf(string instanceId) => _controlQueues[PartitionOf(instanceId)];

    private static OrchestrationState PendingState(ExecutionStartedEvent started) => new()
    {
        InstanceId = started.InstanceId,
        ExecutionId = started.ExecutionId,
        Name = started.Name,
        RuntimeStatus = OrchestrationRuntimeStatus.Pending,
        Input = started.Input,
        CreatedAt = started.Timestamp,
        LastUpdatedAt = started.Timestamp,
        ParentInstanceId = started.Parent?.InstanceId,
    };

    private Task SendAsync(QueueClient queue, string text, DateTime? visibleAtUtc, CancellationToken cancellationToken) =>
        SendAsync(queue, text, visibleAtUtc is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null, cancellationToken);

    private async Task SendAsync(QueueClient queue, string text, DateTimeOffset? visibleAt, CancellationToken cancellationToken)
    {
        var delay = DelayUntil(visibleAt);
        await queue.SendMessageAsync(text, delay, InfiniteTimeToLive, cancellationToken).ConfigureAwait(false);
        // A control queue of ours that was idle: its next receive must not wait out the empty-receive back-off.
        if (_controlQueueIndex.TryGetValue(queue.Name, out var index) && _partitions.TryGetValue(index, out var partition))
            partition.Poke(delay ?? TimeSpan.Zero);
    }

    /// <summary>
    /// The visibility delay for a message due at <paramref name="visibleAt"/>. Queues count it in
    /// whole seconds (rounding down), so it is rounded up: a timer never fires early.
    /// </summary>
    private static TimeSpan? DelayUntil(DateTimeOffset? visibleAt)
    {
        if (visibleAt is not { } at)
            return null;
        var wait = at - DateTimeOffset.UtcNow;
        if (wait <= TimeSpan.Zero)
            return null;
        var seconds = TimeSpan.FromSeconds(Math.Ceiling(wait.TotalSeconds));
        return seconds > MaxVisibilityDelay ? MaxVisibilityDelay : seconds;
    }

    private void OnPartitionAcquired(int partition) =>
        _partitions[partition] = new ControlQueuePartition(partition, _controlQueues[partition]);

    private void OnPartitionLost(int partition)
    {
        foreach (var (instanceId, entry) in _cache.ToArray())
        {
            if (entry.Partition == partition)
                _cache.TryRemove(new KeyValuePair<string, InstanceCacheEntry>(instanceId, entry));
        }
        if (!_partitions.TryRemove(partition, out var buffer))
            return;
        // Messages no turn holds go back to the queue now, for the next owner, instead of after their timeout.
        var idle = buffer.Close();
        if (idle.Count > 0)
            _releases.Add(MakeVisibleAsync(buffer.Queue, idle));
    }

    private async Task MakeVisibleAsync(QueueClient queue, IReadOnlyList<ReceivedControlMessage> messages)
    {
        await Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelQueueOperations }, async (message, ct) =>
        {
            try
            {
                await queue.UpdateMessageAsync(message.QueueMessageId, message.PopReceipt, (string?)null, TimeSpan.Zero, ct).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status is 400 or 404)
            {
                // Its receipt is stale: it is visible again already, or was deleted.
            }
        }).ConfigureAwait(false);
    }
}
