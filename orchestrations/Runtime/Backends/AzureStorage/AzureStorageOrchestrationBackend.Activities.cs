using System.Collections.Concurrent;
using System.Text.Json;
using Azure;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;

namespace Serverless.Orchestrations.Backends.AzureStorage;

public sealed partial class AzureStorageOrchestrationBackend
{
    // Work items received but not handed out yet: the rest of a receive of several messages, and
    // the other requests of a pack (see WorkItemPacking).
    private readonly ConcurrentQueue<ActivityWorkItem> _bufferedActivities = new();
    private readonly SemaphoreSlim _activityReceiveGate = new(1, 1);

    // Activities per message in the last receive: packs make a receive of 32 messages up to 1,024
    // activities, so fewer messages are taken then and the buffer stays near the prefetch count.
    private int _activitiesPerMessage = 1;

    /// <summary>Sends results folded per instance (see <see cref="ResultSender"/>).</summary>
    private async Task SendResultsAsync(IReadOnlyList<OrchestrationMessage> results, CancellationToken cancellationToken)
    {
        var text = await _codec.EncodeAsync(results, cancellationToken).ConfigureAwait(false);
        await SendAsync(ControlQueueOf(results[0].TargetInstanceId), text, (DateTime?)null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<ActivityWorkItem?> GetActivityWorkItemAsync(CancellationToken cancellationToken = default)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            if (await TakeBufferedAsync(cancellationToken).ConfigureAwait(false) is { } buffered)
                return buffered;
            if (!await _activityReceiveGate.WaitAsync(0, cancellationToken).ConfigureAwait(false))
                return null;
            try
            {
                if (!_bufferedActivities.IsEmpty)
                    continue;
                var messages = Math.Max(1, _options.ActivityPrefetchCount / _activitiesPerMessage);
                var response = await _workItemQueue.ReceiveMessagesAsync(messages, _options.WorkItemQueueVisibilityTimeout, cancellationToken).ConfigureAwait(false);
                if (response.Value.Length == 0)
                    return null;
                var activities = 0;
                foreach (var raw in response.Value)
                    activities += await UnpackAsync(raw, cancellationToken).ConfigureAwait(false);
                _activitiesPerMessage = Math.Max(1, activities / response.Value.Length);
            }
            finally
            {
                _activityReceiveGate.Release();
            }
        }
    }

    /// <inheritdoc/>
    public async Task CompleteActivityWorkItemAsync(ActivityWorkItem workItem, OrchestrationMessage response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        var state = ActivityStateOf(workItem);
        if (state.Settled)
            throw new LockLostException($"Activity {workItem.Request.Name} ({workItem.Request.MessageId}) was completed or abandoned already; its lock is gone.");
        // Result first, then the request: a crash in between runs the activity again, and the
        // second result carries the same message id, so the receiver drops it.
        if (response.VisibleAtUtc is null)
        {
            await _results.SendAsync(response, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var text = await _codec.EncodeAsync(response, cancellationToken).ConfigureAwait(false);
            await SendAsync(ControlQueueOf(response.TargetInstanceId), text, response.VisibleAtUtc, cancellationToken).ConfigureAwait(false);
        }
        await SettleAsync(workItem, state, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task AbandonActivityWorkItemAsync(ActivityWorkItem workItem, TimeSpan? retryAfter = null, CancellationToken cancellationToken = default)
    {
        var state = ActivityStateOf(workItem);
        var delay = retryAfter is { } d && d > TimeSpan.Zero ? (d > MaxVisibilityDelay ? MaxVisibilityDelay : d) : TimeSpan.Zero;
        var message = state.Message;
        if (message.WorkItems == 1)
        {
            state.Settled = true;
            await message.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _workItemQueue.UpdateMessageAsync(message.MessageId, message.PopReceipt, (string?)null, delay, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status is 400 or 404)
            {
                // The lock was lost already: the request comes back anyway.
            }
            finally
            {
                message.Gate.Release();
            }
            return;
        }
        // One request of a pack goes back as a message of its own, this delivery counted; the
        // pack is deleted once its other requests are settled.
        var text = await _codec.EncodeAsync(workItem.Request, workItem.DequeueCount, cancellationToken).ConfigureAwait(false);
        await SendAsync(_workItemQueue, text, delay > TimeSpan.Zero ? DateTimeOffset.UtcNow + delay : null, cancellationToken).ConfigureAwait(false);
        try
        {
            await SettleAsync(workItem, state, cancellationToken).ConfigureAwait(false);
        }
        catch (LockLostException)
        {
            // The pack was delivered again meanwhile and is split there: this request runs twice at most.
        }
    }

    /// <inheritdoc/>
    public async Task RenewActivityWorkItemLockAsync(ActivityWorkItem workItem, CancellationToken cancellationToken = default)
    {
        var message = ActivityStateOf(workItem).Message;
        await RenewAsync(message, workItem, cancellationToken).ConfigureAwait(false);
        workItem.LockedUntilUtc = message.NextVisibleOn.UtcDateTime;
    }

    /// <summary>Turns a received message into buffered work items (a pack delivered again is split instead); returns how many.</summary>
    private async Task<int> UnpackAsync(QueueMessage raw, CancellationToken cancellationToken)
    {
        QueueEnvelope? envelope;
        try
        {
            envelope = await _codec.DecodeAsync(raw.Body.ToString(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or RequestFailedException { Status: 404 })
        {
            _logger.LogError(e, "Deleting unreadable work item {MessageId}", raw.MessageId);
            envelope = null;
        }
        IReadOnlyList<ActivityRequest> requests = envelope?.Activities ?? (envelope?.Activity is { } one ? [one] : []);
        if (requests.Count == 0)
        {
            await DeleteActivityMessageAsync(raw.MessageId, raw.PopReceipt, cancellationToken).ConfigureAwait(false);
            return 0;
        }
        var dequeueCount = (int)raw.DequeueCount;
        if (requests.Count > 1 && dequeueCount > 1)
        {
            await SplitPackAsync(raw, requests, cancellationToken).ConfigureAwait(false);
            return 0;
        }
        var prior = envelope!.PriorDeliveries ?? 0;
        var message = new WorkItemMessage(raw.MessageId, raw.PopReceipt, raw.NextVisibleOn ?? DateTimeOffset.UtcNow + _options.WorkItemQueueVisibilityTimeout, dequeueCount, requests.Count);
        foreach (var request in requests)
        {
            _bufferedActivities.Enqueue(new ActivityWorkItem
            {
                Request = request,
                DequeueCount = dequeueCount + prior,
                LockedUntilUtc = message.NextVisibleOn.UtcDateTime,
                BackendState = new ActivityWorkItemState(message, prior),
            });
        }
        return requests.Count;
    }

    /// <summary>
    /// A pack delivered again: the worker that had it died or lost it. Each request goes back as a
    /// message of its own, its deliveries so far counted, so that a request that kills its worker
    /// ends as a poison message alone instead of taking the whole pack with it.
    /// </summary>
    private async Task SplitPackAsync(QueueMessage raw, IReadOnlyList<ActivityRequest> requests, CancellationToken cancellationToken)
    {
        var delivered = (int)raw.DequeueCount - 1;
        await Parallel.ForEachAsync(requests, QueueParallelism(cancellationToken), async (request, ct) =>
        {
            var text = await _codec.EncodeAsync(request, delivered, ct).ConfigureAwait(false);
            await SendAsync(_workItemQueue, text, (DateTimeOffset?)null, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
        await DeleteActivityMessageAsync(raw.MessageId, raw.PopReceipt, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A buffered work item whose message is still locked; its lock is renewed first when half of it is gone.</summary>
    private async Task<ActivityWorkItem?> TakeBufferedAsync(CancellationToken cancellationToken)
    {
        while (_bufferedActivities.TryDequeue(out var item))
        {
            var message = ActivityStateOf(item).Message;
            try
            {
                await RenewAsync(message, item, cancellationToken).ConfigureAwait(false);
            }
            catch (LockLostException e)
            {
                // Delivered again elsewhere (it waited here past its lock): that delivery runs it.
                _logger.LogDebug(e, "Dropped buffered activity {Name} of {Instance}", item.Request.Name, item.Request.InstanceId);
                continue;
            }
            item.LockedUntilUtc = message.NextVisibleOn.UtcDateTime;
            return item;
        }
        return null;
    }

    /// <summary>Extends the message's lock unless more than half of it is left (another work item of the pack renewed it).</summary>
    private async Task RenewAsync(WorkItemMessage message, ActivityWorkItem workItem, CancellationToken cancellationToken)
    {
        await message.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (message.NextVisibleOn - DateTimeOffset.UtcNow > _options.WorkItemQueueVisibilityTimeout / 2)
                return;
            var receipt = await _workItemQueue.UpdateMessageAsync(message.MessageId, message.PopReceipt, (string?)null, _options.WorkItemQueueVisibilityTimeout, cancellationToken).ConfigureAwait(false);
            message.PopReceipt = receipt.Value.PopReceipt;
            message.NextVisibleOn = receipt.Value.NextVisibleOn;
        }
        catch (RequestFailedException e) when (e.Status is 400 or 404)
        {
            throw new LockLostException($"The lock of activity {workItem.Request.Name} ({workItem.Request.MessageId}) expired.", e);
        }
        finally
        {
            message.Gate.Release();
        }
    }

    /// <summary>Marks the work item done; the last of its message deletes the message.</summary>
    private async Task SettleAsync(ActivityWorkItem workItem, ActivityWorkItemState state, CancellationToken cancellationToken)
    {
        if (state.Settled)
            throw new LockLostException($"Activity {workItem.Request.Name} ({workItem.Request.MessageId}) was completed or abandoned already; its lock is gone.");
        state.Settled = true;
        var message = state.Message;
        if (!message.Settle())
            return;
        await message.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _workItemQueue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 400 or 404)
        {
            throw new LockLostException($"The lock of activity {workItem.Request.Name} ({workItem.Request.MessageId}) expired; the request will run again.", e);
        }
        finally
        {
            message.Gate.Release();
        }
    }

    /// <summary>On stop: buffered work goes back to the queue for other workers, now rather than when its lock expires.</summary>
    private async Task ReleaseBufferedActivitiesAsync(CancellationToken cancellationToken)
    {
        var buffered = new List<ActivityWorkItem>();
        while (_bufferedActivities.TryDequeue(out var item))
            buffered.Add(item);
        foreach (var group in buffered.GroupBy(i => ActivityStateOf(i).Message))
        {
            var message = group.Key;
            if (group.Count() == message.Unsettled)
            {
                // None of it ran here: the whole message becomes visible again.
                try
                {
                    await _workItemQueue.UpdateMessageAsync(message.MessageId, message.PopReceipt, (string?)null, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
                }
                catch (RequestFailedException e) when (e.Status is 400 or 404)
                {
                }
                continue;
            }
            foreach (var item in group)
                await AbandonActivityWorkItemAsync(item, null, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DeleteActivityMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken)
    {
        try
        {
            await _workItemQueue.DeleteMessageAsync(messageId, popReceipt, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 400 or 404)
        {
        }
    }

    private static ActivityWorkItemState ActivityStateOf(ActivityWorkItem workItem) =>
        workItem.BackendState as ActivityWorkItemState
        ?? throw new ArgumentException("The work item was not fetched from this backend.", nameof(workItem));
}
