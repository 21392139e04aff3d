using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Azure;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;

namespace Serverless.Orchestrations.Backends.AzureStorage;

public sealed partial class AzureStorageOrchestrationBackend
{
    private readonly ConcurrentQueue<(QueueMessage Message, long ReceivedAt)> _prefetchedActivities = new();
    private readonly SemaphoreSlim _activityReceiveGate = new(1, 1);

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
            if (!TryTakePrefetched(out var raw))
            {
                if (!await _activityReceiveGate.WaitAsync(0, cancellationToken).ConfigureAwait(false))
                    return null;
                try
                {
                    if (!TryTakePrefetched(out raw))
                    {
                        var response = await _workItemQueue.ReceiveMessagesAsync(_options.ActivityPrefetchCount, _options.WorkItemQueueVisibilityTimeout, cancellationToken).ConfigureAwait(false);
                        if (response.Value.Length == 0)
                            return null;
                        raw = response.Value[0];
                        var now = Stopwatch.GetTimestamp();
                        foreach (var extra in response.Value.Skip(1))
                            _prefetchedActivities.Enqueue((extra, now));
                    }
                }
                finally
                {
                    _activityReceiveGate.Release();
                }
            }

            ActivityRequest? request;
            try
            {
                request = (await _codec.DecodeAsync(raw.Body.ToString(), cancellationToken).ConfigureAwait(false)).Activity;
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or RequestFailedException { Status: 404 })
            {
                _logger.LogError(e, "Deleting unreadable work item {MessageId}", raw.MessageId);
                request = null;
            }
            if (request is null)
            {
                await DeleteActivityMessageAsync(raw.MessageId, raw.PopReceipt, cancellationToken).ConfigureAwait(false);
                continue;
            }
            return new ActivityWorkItem
            {
                Request = request,
                DequeueCount = (int)raw.DequeueCount,
                LockedUntilUtc = (raw.NextVisibleOn ?? DateTimeOffset.UtcNow + _options.WorkItemQueueVisibilityTimeout).UtcDateTime,
                BackendState = new ActivityWorkItemState(raw.MessageId, raw.PopReceipt),
            };
        }
    }

    /// <inheritdoc/>
    public async Task CompleteActivityWorkItemAsync(ActivityWorkItem workItem, OrchestrationMessage response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        var state = ActivityStateOf(workItem);
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
        try
        {
            await _workItemQueue.DeleteMessageAsync(state.QueueMessageId, state.PopReceipt, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 400 or 404)
        {
            throw new LockLostException($"The lock of activity {workItem.Request.Name} ({workItem.Request.MessageId}) expired; the request will run again.", e);
        }
    }

    /// <inheritdoc/>
    public async Task AbandonActivityWorkItemAsync(ActivityWorkItem workItem, TimeSpan? retryAfter = null, CancellationToken cancellationToken = default)
    {
        var state = ActivityStateOf(workItem);
        var delay = retryAfter is { } d && d > TimeSpan.Zero ? (d > MaxVisibilityDelay ? MaxVisibilityDelay : d) : TimeSpan.Zero;
        try
        {
            await _workItemQueue.UpdateMessageAsync(state.QueueMessageId, state.PopReceipt, (string?)null, delay, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 400 or 404)
        {
            // The lock was lost already: the request comes back anyway.
        }
    }

    /// <inheritdoc/>
    public async Task RenewActivityWorkItemLockAsync(ActivityWorkItem workItem, CancellationToken cancellationToken = default)
    {
        var state = ActivityStateOf(workItem);
        try
        {
            var receipt = await _workItemQueue.UpdateMessageAsync(state.QueueMessageId, state.PopReceipt, (string?)null, _options.WorkItemQueueVisibilityTimeout, cancellationToken).ConfigureAwait(false);
            state.PopReceipt = receipt.Value.PopReceipt;
            workItem.LockedUntilUtc = receipt.Value.NextVisibleOn.UtcDateTime;
        }
        catch (RequestFailedException e) when (e.Status is 400 or 404)
        {
            throw new LockLostException($"The lock of activity {workItem.Request.Name} ({workItem.Request.MessageId}) expired.", e);
        }
    }

    /// <summary>A prefetched message still well inside its visibility window; older ones are left to reappear.</summary>
    private bool TryTakePrefetched(out QueueMessage message)
    {
        var maxAge = _options.WorkItemQueueVisibilityTimeout / 2;
        while (_prefetchedActivities.TryDequeue(out var item))
        {
            if (Stopwatch.GetElapsedTime(item.ReceivedAt) < maxAge)
            {
                message = item.Message;
                return true;
            }
        }
        message = null!;
        return false;
    }

    private async Task ReleasePrefetchedActivitiesAsync(CancellationToken cancellationToken)
    {
        while (_prefetchedActivities.TryDequeue(out var item))
        {
            try
            {
                await _workItemQueue.UpdateMessageAsync(item.Message.MessageId, item.Message.PopReceipt, (string?)null, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status is 400 or 404)
            {
            }
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
