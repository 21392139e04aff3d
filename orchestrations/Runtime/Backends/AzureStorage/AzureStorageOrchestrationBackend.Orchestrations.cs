using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Backends.AzureStorage;

public sealed partial class AzureStorageOrchestrationBackend
{
    /// <inheritdoc/>
    public async Task<OrchestrationWorkItem?> GetOrchestrationWorkItemAsync(CancellationToken cancellationToken = default)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        var owned = _partitions.Values.OrderBy(p => p.Index).ToArray();
        if (owned.Length == 0)
            return null;
        var start = (int)((uint)Interlocked.Increment(ref _nextPartition) % (uint)owned.Length);
        for (var i = 0; i < owned.Length; i++)
        {
            var partition = owned[(start + i) % owned.Length];
            if (!_leases.Owns(partition.Index))
                continue;
            // Hand out what is buffered first; receive only when this partition has nothing ready.
            for (var round = 0; round < 2; round++)
            {
                while (partition.TakeReady() is { } ready)
                {
                    var workItem = await PrepareAsync(partition, ready.InstanceId, ready.Messages, cancellationToken).ConfigureAwait(false);
                    if (workItem is not null)
                        return workItem;
                }
                if (round == 0 && (!partition.MayReceive() || !await ReceiveAsync(partition, cancellationToken).ConfigureAwait(false)))
                    break;
            }
        }
        return null;
    }

    /// <inheritdoc/>
    public async Task<OrchestrationHistory> GetOrchestrationHistoryAsync(OrchestrationWorkItem workItem, string? cachedVersion, CancellationToken cancellationToken = default)
    {
        var state = StateOf(workItem);
        var entry = state.Entry;
        if (state.LoadedEvents is { } loaded)
        {
            state.LoadedEvents = null;
            if (cachedVersion is not null && cachedVersion == entry.ETag)
                return new OrchestrationHistory(null, entry.ETag, NotModified: true);
            return new OrchestrationHistory(loaded, entry.ETag);
        }
        if (cachedVersion is not null && cachedVersion == entry.ETag)
            return new OrchestrationHistory(null, entry.ETag, NotModified: true);
        var snapshot = await _history.LoadAsync(workItem.InstanceId, cancellationToken).ConfigureAwait(false);
        if (snapshot?.ETag != entry.ETag)
            throw new LockLostException($"The history of '{workItem.InstanceId}' changed since its work item was fetched.");
        return snapshot is null ? OrchestrationHistory.Empty : new OrchestrationHistory(snapshot.Events, snapshot.ETag);
    }

    /// <inheritdoc/>
    public async Task<string> CompleteOrchestrationWorkItemAsync(OrchestrationWorkItem workItem, OrchestrationTurn turn, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var state = StateOf(workItem);
        var entry = state.Entry;
        var partition = state.Partition;
        var instanceId = workItem.InstanceId;
        if (state.Released)
            throw new LockLostException($"The work item of '{instanceId}' was completed or abandoned already; its lock is gone.");
        if (partition.Closed || !_leases.Owns(partition.Index))
        {
            ReleaseLost(state, instanceId);
            throw new LockLostException($"Partition {partition.Index} of '{instanceId}' is no longer owned by {WorkerId}.");
        }

        var committed = false;
        try
        {
            var writes = turn.NewHistory.Count > 0 || turn.State is not null || turn.NewActivities.Count > 0 || turn.NewMessages.Count > 0;
            if (writes)
            {
                var outbox = await EncodeOutboxAsync(turn, cancellationToken).ConfigureAwait(false);
                var turnNumber = entry.Turn + 1;
                var turnKey = $"{turnNumber:D10}{Guid.NewGuid():N}"[..22];
                var startIndex = turn.ReplacesHistory ? 0 : entry.HistoryCount;
                var consumed = state.Messages.SelectMany(m => m.Messages).Select(m => m.MessageId).Distinct().ToArray();
                var rows = await _history.BuildRowsAsync(instanceId, startIndex, turn.NewHistory, turn.ExecutionId, consumed, turnKey, outbox, cancellationToken).ConfigureAwait(false);

                // A new execution keeps the dedupe rows of the one it replaces and drops older ones.
                var prunedIds = turn.ReplacesHistory
                    ? entry.Consumed.Where(c => c.Value != entry.ExecutionId && c.Value != turn.ExecutionId).Select(c => c.Key).ToArray()
                    : [];
                var deletes = entry.StaleRowKeys.Concat(prunedIds.Select(TableKeys.ConsumedRow)).ToArray();

                var sentinel = new TableEntity(TableKeys.Escape(instanceId), TableKeys.Sentinel)
                {
                    ["HistoryCount"] = startIndex + turn.NewHistory.Count,
                    ["ExecutionId"] = turn.ExecutionId,
                    ["Turn"] = turnNumber,
                };
                if (outbox.Count > 0)
                    sentinel["OutboxKey"] = turnKey;
                if (turn.State is not null)
                    await _stateCodec.WriteAsync(sentinel, turn.State, cancellationToken).ConfigureAwait(false);
                else if (entry.Sentinel is { } previous)
                    InstanceStateCodec.CopyState(previous, sentinel);

                var etag = await _history.CommitAsync(entry.ETag, sentinel, rows, deletes, cancellationToken).ConfigureAwait(false);
                committed = true;
                CrashPoint?.Invoke("history-committed");

                entry.ETag = etag;
                entry.Sentinel = sentinel;
                entry.HistoryCount = startIndex + turn.NewHistory.Count;
                entry.Turn = turnNumber;
                entry.StaleRowKeys.Clear();
                if (turn.ReplacesHistory)
                {
                    entry.CompletionKeys.Clear();
                    foreach (var id in prunedIds)
                        entry.Consumed.Remove(id);
                }
                entry.ExecutionId = turn.ExecutionId;
                foreach (var id in consumed)
                    entry.Consumed[id] = turn.ExecutionId;
                entry.AddCompletionKeys(turn.NewHistory);

                if (turn.State is not null)
                    await UpdateInstanceRowAsync(sentinel, cancellationToken).ConfigureAwait(false);
                if (outbox.Count > 0)
                {
                    await SendOutboxAsync(outbox, cancellationToken).ConfigureAwait(false);
                    CrashPoint?.Invoke("outbox-sent");
                    await _history.DeleteRowsAsync(instanceId, rows.Select(r => r.RowKey).Where(k => k.StartsWith(TableKeys.OutboxPrefix, StringComparison.Ordinal)).ToArray(), cancellationToken).ConfigureAwait(false);
                }
            }
            await DeleteMessagesAsync(partition.Queue, state.Messages, cancellationToken).ConfigureAwait(false);
            state.Released = true;
            partition.Release(instanceId, [], state.Messages);
            return entry.ETag ?? "";
        }
        catch (LockLostException)
        {
            ReleaseLost(state, instanceId);
            throw;
        }
        catch when (committed)
        {
            // The turn is durable but its messages may not all be out: a cold load of the next
            // delivery re-sends the outbox still present and drops the inputs as consumed.
            _cache.TryRemove(new KeyValuePair<string, InstanceCacheEntry>(instanceId, entry));
            throw;
        }
    }

    /// <inheritdoc/>
    public async Task AbandonOrchestrationWorkItemAsync(OrchestrationWorkItem workItem, TimeSpan? retryAfter = null, CancellationToken cancellationToken = default)
    {
        var state = StateOf(workItem);
        if (state.Released)
            return;
        state.Released = true;
        if (retryAfter is not { } delay || delay <= TimeSpan.Zero)
        {
            // Back into the buffer, handed out again by the next fetch: a delivery more, as the queue would count it.
            foreach (var message in state.Messages)
                message.DequeueCount++;
            state.Partition.Release(workItem.InstanceId, state.Messages, []);
            return;
        }
        state.Partition.Release(workItem.InstanceId, [], state.Messages);
        var visibility = delay > MaxVisibilityDelay ? MaxVisibilityDelay : delay;
        state.Partition.Poke(visibility);
        await Parallel.ForEachAsync(state.Messages, QueueParallelism(cancellationToken), async (message, ct) =>
        {
            try
            {
                await state.Partition.Queue.UpdateMessageAsync(message.QueueMessageId, message.PopReceipt, (string?)null, visibility, ct).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status is 400 or 404)
            {
                // The lock was lost already: the message comes back anyway.
            }
        }).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task RenewOrchestrationWorkItemLockAsync(OrchestrationWorkItem workItem, CancellationToken cancellationToken = default)
    {
        var state = StateOf(workItem);
        if (state.Released || state.Partition.Closed || !_leases.Owns(state.Partition.Index))
            throw new LockLostException($"The lock of '{workItem.InstanceId}' is lost: partition {state.Partition.Index} is no longer owned.");
        var lockedUntil = DateTimeOffset.MaxValue;
        foreach (var message in state.Messages)
        {
            try
            {
                var receipt = await state.Partition.Queue.UpdateMessageAsync(message.QueueMessageId, message.PopReceipt, (string?)null, _options.ControlQueueVisibilityTimeout, cancellationToken).ConfigureAwait(false);
                message.PopReceipt = receipt.Value.PopReceipt;
                message.NextVisibleOn = receipt.Value.NextVisibleOn;
                if (receipt.Value.NextVisibleOn < lockedUntil)
                    lockedUntil = receipt.Value.NextVisibleOn;
            }
            catch (RequestFailedException e) when (e.Status is 400 or 404)
            {
                throw new LockLostException($"The lock of '{workItem.InstanceId}' expired: message {message.QueueMessageId} was delivered again.", e);
            }
        }
        if (lockedUntil != DateTimeOffset.MaxValue)
            workItem.LockedUntilUtc = lockedUntil.UtcDateTime;
    }

    private async Task UpdateInstanceRowAsync(TableEntity sentinel, CancellationToken cancellationToken)
    {
        try
        {
            await _instances.UpsertFromSentinelAsync(sentinel, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e)
        {
            // The history is the truth; a lagging row is rebuilt on the next load or query.
            _logger.LogWarning(e, "Updating the Instances row of {Instance} failed", sentinel.GetString("InstanceId"));
        }
    }

    private async Task<List<OutboxEntry>> EncodeOutboxAsync(OrchestrationTurn turn, CancellationToken cancellationToken)
    {
        var packs = WorkItemPacking.Pack(turn.NewActivities, _options);
        var outbox = new OutboxEntry[packs.Count + turn.NewMessages.Count];
        await Parallel.ForAsync(0, outbox.Length, QueueParallelism(cancellationToken), async (i, ct) =>
        {
            if (i < packs.Count)
            {
                outbox[i] = new OutboxEntry(_workItemQueue.Name, await _codec.EncodeAsync(packs[i], ct).ConfigureAwait(false), null, null);
                return;
            }
            var message = turn.NewMessages[i - packs.Count];
            var text = await _codec.EncodeAsync(message, ct).ConfigureAwait(false);
            DateTimeOffset? visibleAt = message.VisibleAtUtc is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
            var creates = message.Event is ExecutionStartedEvent ? message.TargetInstanceId : null;
            outbox[i] = new OutboxEntry(ControlQueueOf(message.TargetInstanceId).Name, text, visibleAt, creates);
        }).ConfigureAwait(false);
        return [.. outbox];
    }

    /// <summary>Sends outbox messages. An ExecutionStarted message creates its instance first, unless an active one exists.</summary>
    private async Task SendOutboxAsync(IReadOnlyList<OutboxEntry> outbox, CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(outbox, QueueParallelism(cancellationToken), async (entry, ct) =>
        {
            if (entry.CreatesInstance is { } target)
            {
                var envelope = await _codec.DecodeAsync(entry.Text, ct).ConfigureAwait(false);
                var started = (ExecutionStartedEvent)envelope.Message!.Event;
                if (!await _instances.TryCreatePendingAsync(PendingState(started), ct).ConfigureAwait(false)
                    && !await _instances.IsPendingExecutionAsync(target, started.ExecutionId, ct).ConfigureAwait(false))
                {
                    _logger.LogWarning("Not starting {Instance}: an active instance of that id exists", target);
                    return;
                }
            }
            await SendAsync(_queuesByName[entry.Queue], entry.Text, entry.VisibleAt, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    private async Task DeleteMessagesAsync(QueueClient queue, IReadOnlyList<ReceivedControlMessage> messages, CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(messages, QueueParallelism(cancellationToken), async (message, ct) =>
        {
            try
            {
                await queue.DeleteMessageAsync(message.QueueMessageId, message.PopReceipt, ct).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status is 400 or 404)
            {
                // Delivered again meanwhile (its receipt changed) or gone: the next delivery is dropped as consumed.
            }
        }).ConfigureAwait(false);
    }

    private void ReleaseLost(OrchestrationWorkItemState state, string instanceId)
    {
        _cache.TryRemove(new KeyValuePair<string, InstanceCacheEntry>(instanceId, state.Entry));
        if (state.Released)
            return;
        state.Released = true;
        state.Partition.Release(instanceId, state.Messages, []);
    }

    private ParallelOptions QueueParallelism(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = _options.MaxParallelQueueOperations, CancellationToken = cancellationToken };

    private static OrchestrationWorkItemState StateOf(OrchestrationWorkItem workItem) =>
        workItem.BackendState as OrchestrationWorkItemState
        ?? throw new ArgumentException("The work item was not fetched from this backend.", nameof(workItem));
}
