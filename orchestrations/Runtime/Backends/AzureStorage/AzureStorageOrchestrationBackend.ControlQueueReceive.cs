using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>Receiving from the control queues: decode, dedupe, group by instance, and recover an instance a dead owner left half-committed.</summary>
public sealed partial class AzureStorageOrchestrationBackend
{
    /// <summary>Receives one batch from a partition's queue into its buffer; false when the queue was empty or busy.</summary>
    private async Task<bool> ReceiveAsync(ControlQueuePartition partition, CancellationToken cancellationToken)
    {
        if (!await partition.ReceiveGate.WaitAsync(0, cancellationToken).ConfigureAwait(false))
            return false;
        try
        {
            var pokes = partition.Pokes;
            var response = await partition.Queue.ReceiveMessagesAsync(_options.ControlQueueBatchSize, _options.ControlQueueVisibilityTimeout, cancellationToken).ConfigureAwait(false);
            partition.NoteReceived(response.Value.Length, pokes);
            if (response.Value.Length == 0)
                return false;
            var decoded = new ReceivedControlMessage?[response.Value.Length];
            await Parallel.ForAsync(0, response.Value.Length, QueueParallelism(cancellationToken), async (i, ct) =>
            {
                decoded[i] = await DecodeControlMessageAsync(partition.Queue, response.Value[i], ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
            foreach (var message in decoded)
            {
                if (message is not null)
                    partition.Add(message);
            }
            return true;
        }
        finally
        {
            partition.ReceiveGate.Release();
        }
    }

    private async Task<ReceivedControlMessage?> DecodeControlMessageAsync(QueueClient queue, Azure.Storage.Queues.Models.QueueMessage raw, CancellationToken cancellationToken)
    {
        QueueEnvelope envelope;
        try
        {
            envelope = await _codec.DecodeAsync(raw.Body.ToString(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or RequestFailedException { Status: 404 })
        {
            _logger.LogError(e, "Deleting unreadable control message {MessageId} from {Queue}", raw.MessageId, queue.Name);
            await queue.DeleteMessageAsync(raw.MessageId, raw.PopReceipt, cancellationToken).ConfigureAwait(false);
            return null;
        }
        IReadOnlyList<OrchestrationMessage> messages = envelope.Messages is { Count: > 0 } many ? many : envelope.Message is { } one ? [one] : [];
        if (messages.Count == 0 || messages.Any(m => m.TargetInstanceId != messages[0].TargetInstanceId))
        {
            _logger.LogError("Deleting control message {MessageId} without an orchestration message", raw.MessageId);
            await queue.DeleteMessageAsync(raw.MessageId, raw.PopReceipt, cancellationToken).ConfigureAwait(false);
            return null;
        }
        if (messages.Count == 1 && messages[0].VisibleAtUtc is { } at && at > DateTime.UtcNow)
        {
            // Not due yet (a timer further out than the queue's longest delay): wait the rest in the queue.
            await SendAsync(queue, raw.Body.ToString(), at, cancellationToken).ConfigureAwait(false);
            await queue.DeleteMessageAsync(raw.MessageId, raw.PopReceipt, cancellationToken).ConfigureAwait(false);
            return null;
        }
        return new ReceivedControlMessage
        {
            QueueMessageId = raw.MessageId,
            Messages = messages,
            InsertedOn = raw.InsertedOn ?? DateTimeOffset.UtcNow,
            PopReceipt = raw.PopReceipt,
            DequeueCount = (int)raw.DequeueCount,
            NextVisibleOn = raw.NextVisibleOn ?? DateTimeOffset.UtcNow + _options.ControlQueueVisibilityTimeout,
        };
    }

    /// <summary>
    /// Turns a locked batch into a work item: loads the instance when it is not cached (re-sending
    /// an outbox a crash left behind), drops messages already consumed, and returns null when
    /// nothing new is left.
    /// </summary>
    private async Task<OrchestrationWorkItem?> PrepareAsync(ControlQueuePartition partition, string instanceId, List<ReceivedControlMessage> received, CancellationToken cancellationToken)
    {
        try
        {
            IReadOnlyList<HistoryEvent>? loaded = null;
            if (!_cache.TryGetValue(instanceId, out var entry) || entry.Partition != partition.Index)
            {
                var snapshot = await _history.LoadAsync(instanceId, cancellationToken).ConfigureAwait(false);
                if (snapshot is not null)
                    await RecoverAsync(instanceId, snapshot, cancellationToken).ConfigureAwait(false);
                entry = InstanceCacheEntry.FromSnapshot(partition.Index, snapshot);
                loaded = snapshot?.Events ?? [];
                if (!partition.Closed)
                    _cache[instanceId] = entry;
            }

            var kept = new List<ReceivedControlMessage>(received.Count);
            var duplicates = new List<ReceivedControlMessage>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var queued in received.OrderBy(m => m.InsertedOn))
            {
                var fresh = new List<OrchestrationMessage>(queued.Messages.Count);
                foreach (var message in queued.Messages)
                {
                    // Within one batch too: the same message twice, or two results of one task (an activity that ran twice).
                    var completion = InstanceCacheEntry.CompletionKey(message.Event) is { } key
                        ? (message.TargetExecutionId ?? entry.ExecutionId) + "|" + key
                        : null;
                    if (!entry.IsDuplicate(message) && seen.Add(message.MessageId) && (completion is null || seen.Add(completion)))
                        fresh.Add(message);
                }
                if (fresh.Count == 0)
                {
                    duplicates.Add(queued);
                    continue;
                }
                if (fresh.Count < queued.Messages.Count)
                    queued.Messages = fresh;
                kept.Add(queued);
            }
            if (duplicates.Count > 0)
            {
                _logger.LogDebug("Dropping {Count} duplicate message(s) for {Instance}", duplicates.Count, instanceId);
                await DeleteMessagesAsync(partition.Queue, duplicates, cancellationToken).ConfigureAwait(false);
            }
            if (kept.Count == 0)
            {
                partition.Release(instanceId, [], duplicates);
                return null;
            }
            partition.Release(instanceId, [], duplicates, keepLocked: true);
            return new OrchestrationWorkItem
            {
                InstanceId = instanceId,
                Messages = kept.SelectMany(m => m.Messages).ToArray(),
                DequeueCount = kept.Max(m => m.DequeueCount),
                LockedUntilUtc = kept.Min(m => m.NextVisibleOn).UtcDateTime,
                BackendState = new OrchestrationWorkItemState { Partition = partition, Messages = kept, Entry = entry, LoadedEvents = loaded },
            };
        }
        catch
        {
            partition.Release(instanceId, received, []);
            throw;
        }
    }

    /// <summary>Repairs what a crash between the steps of a commit left: an unsent outbox, a lagging Instances row.</summary>
    private async Task RecoverAsync(string instanceId, InstanceSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (snapshot.PendingOutbox.Count > 0)
        {
            _logger.LogInformation("Re-sending {Count} outbox row(s) of {Instance} left by an interrupted turn", snapshot.PendingOutbox.Count, instanceId);
            var entries = snapshot.PendingOutbox.SelectMany(HistoryStore.ReadOutboxRow).ToArray();
            await SendOutboxAsync(entries, cancellationToken).ConfigureAwait(false);
            await _history.DeleteRowsAsync(instanceId, snapshot.PendingOutbox.Select(r => r.RowKey).ToArray(), cancellationToken).ConfigureAwait(false);
        }
        if (snapshot.Sentinel is { } sentinel && sentinel.ContainsKey("Name"))
        {
            var row = await _instances.ReadRowAsync(instanceId, includePayloads: false, cancellationToken).ConfigureAwait(false);
            if ((row?.GetInt64("Turn") ?? -1) < snapshot.Turn)
            {
                _logger.LogInformation("Rebuilding the lagging Instances row of {Instance} from its history", instanceId);
                await UpdateInstanceRowAsync(sentinel, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
