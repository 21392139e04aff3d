using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Backends;

/// <summary>
/// The storage of a task hub, as the worker and the client see it (the shape of durabletask-go's
/// backend.go). Two queues: orchestration messages, grouped per instance and locked per instance,
/// and activity requests. Delivery is at least once everywhere; the replay engine tolerates
/// duplicates (duplicate completions are ignored), so a backend never needs exactly-once.
/// <para>
/// Guarantees every implementation gives (the shared behavioural suite checks them):
/// <list type="bullet">
/// <item>At most one orchestration work item per instance is locked at any time, across processes.</item>
/// <item>A turn is committed all or nothing as far as readers can tell: once
/// <see cref="CompleteOrchestrationWorkItemAsync"/> returns, its history, instance row and
/// outgoing messages are durable and will be delivered; if it throws, the input messages are
/// delivered again and the worker replays the turn, producing messages with the same ids.</item>
/// <item>A lock that is not renewed expires; its messages are delivered again with a higher
/// <c>DequeueCount</c>. Operations with an expired or stolen lock throw
/// <see cref="LockLostException"/> and commit nothing.</item>
/// <item>Messages with a visible-at time (timers) are not delivered before that time.</item>
/// </list></para>
/// All methods are thread-safe; work-item fetches never block waiting for work: they return
/// null at once when none is available (the worker does the polling and back-off).
/// </summary>
public interface IOrchestrationBackend
{
    /// <summary>Creates the task hub's storage (queues, tables, containers) if missing. Idempotent.</summary>
    Task CreateTaskHubAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes the task hub's storage and everything in it. Idempotent.</summary>
    Task DeleteTaskHubAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts background work the backend needs to hand out work items (partition lease
    /// acquisition and renewal). Called once by the worker before fetching; a client-only process
    /// need not call it.
    /// </summary>
    Task StartAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stops background work and releases what this process owns (partition leases) so others
    /// can take over at once. Work items still locked by this process are not completed; their
    /// locks are released or left to expire.
    /// </summary>
    Task StopAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates an instance: writes its row as Pending and enqueues <paramref name="startMessage"/>
    /// (an <see cref="ExecutionStartedEvent"/> message, possibly with a visible-at time for a
    /// delayed start). Idempotent: if an instance with that id exists and is not terminal
    /// (Pending or Running), nothing is written and false is returned. A terminal instance of the
    /// same id is replaced (its old history is discarded when the new execution's first turn
    /// commits with <see cref="OrchestrationTurn.ReplacesHistory"/>).
    /// </summary>
    /// <returns>True when created, false when an active instance of that id already existed.</returns>
    Task<bool> CreateOrchestrationInstanceAsync(OrchestrationMessage startMessage, CancellationToken cancellationToken = default);

    /// <summary>
    /// Enqueues a message for an existing instance (a raised event, a terminate request). A
    /// message for an instance that does not exist is dropped silently.
    /// </summary>
    Task SendMessageAsync(OrchestrationMessage message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Locks the next instance that has visible messages and returns all of its visible messages
    /// as one work item (so many completions fold into one turn), or null when there is none.
    /// </summary>
    Task<OrchestrationWorkItem?> GetOrchestrationWorkItemAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Loads the stored history of the work item's instance (the current execution's events).
    /// When <paramref name="cachedVersion"/> equals the stored version, the backend may answer
    /// <see cref="OrchestrationHistory.NotModified"/> without reading the events (the worker keeps
    /// hot instances in memory); returning the full history is always allowed.
    /// </summary>
    Task<OrchestrationHistory> GetOrchestrationHistoryAsync(OrchestrationWorkItem workItem, string? cachedVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// Commits a turn: appends (or replaces) history, upserts the instance row, enqueues the new
    /// activity requests and orchestration messages, and deletes the work item's messages, then
    /// releases the instance lock. A message whose event is <see cref="ExecutionStartedEvent"/>
    /// creates its target instance with the semantics of <see cref="CreateOrchestrationInstanceAsync"/>.
    /// Throws <see cref="LockLostException"/> (committing nothing of the history) when the lock
    /// was lost or the stored history changed since it was loaded.
    /// </summary>
    /// <returns>The new history version, for the worker's cache.</returns>
    Task<string> CompleteOrchestrationWorkItemAsync(OrchestrationWorkItem workItem, OrchestrationTurn turn, CancellationToken cancellationToken = default);

    /// <summary>
    /// Releases the lock without committing: the messages become visible again after
    /// <paramref name="retryAfter"/> (null: at once), keeping their dequeue counts. Never throws
    /// for a lost lock (the messages come back anyway).
    /// </summary>
    Task AbandonOrchestrationWorkItemAsync(OrchestrationWorkItem workItem, TimeSpan? retryAfter = null, CancellationToken cancellationToken = default);

    /// <summary>Extends the lock and updates <see cref="OrchestrationWorkItem.LockedUntilUtc"/>; throws <see cref="LockLostException"/> if lost.</summary>
    Task RenewOrchestrationWorkItemLockAsync(OrchestrationWorkItem workItem, CancellationToken cancellationToken = default);

    /// <summary>Locks the next visible activity request, or returns null when there is none.</summary>
    Task<ActivityWorkItem?> GetActivityWorkItemAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends <paramref name="response"/> (a <see cref="TaskCompletedEvent"/> or
    /// <see cref="TaskFailedEvent"/> message for the scheduling instance) and then deletes the
    /// request. Throws <see cref="LockLostException"/> when the lock was lost; the response may
    /// then have been sent or not (the request runs again, and the engine ignores the duplicate).
    /// </summary>
    Task CompleteActivityWorkItemAsync(ActivityWorkItem workItem, OrchestrationMessage response, CancellationToken cancellationToken = default);

    /// <summary>
    /// Releases the request without a result: it becomes visible again after
    /// <paramref name="retryAfter"/> (null: at once) and its next delivery counts one more
    /// dequeue. Never throws for a lost lock.
    /// </summary>
    Task AbandonActivityWorkItemAsync(ActivityWorkItem workItem, TimeSpan? retryAfter = null, CancellationToken cancellationToken = default);

    /// <summary>Extends the lock and updates <see cref="ActivityWorkItem.LockedUntilUtc"/>; throws <see cref="LockLostException"/> if lost.</summary>
    Task RenewActivityWorkItemLockAsync(ActivityWorkItem workItem, CancellationToken cancellationToken = default);
}
