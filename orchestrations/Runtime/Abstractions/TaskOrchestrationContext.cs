using Microsoft.Extensions.Logging;

namespace Serverless.Orchestrations;

/// <summary>
/// What orchestrator code sees: durable calls recorded in history and replayed. Orchestrator
/// code must be deterministic: use <see cref="CurrentUtcDateTime"/> and <see cref="NewGuid"/>
/// instead of the clock and random ids, do no I/O, and never <c>ConfigureAwait(false)</c>.
/// </summary>
public abstract class TaskOrchestrationContext
{
    /// <summary>The orchestrator name.</summary>
    public abstract string Name { get; }

    /// <summary>The instance id.</summary>
    public abstract string InstanceId { get; }

    /// <summary>True while the code re-runs against recorded history.</summary>
    public abstract bool IsReplaying { get; }

    /// <summary>The time of the current turn (from its OrchestratorStarted event); the same on replay.</summary>
    public abstract DateTime CurrentUtcDateTime { get; }

    /// <summary>The input of the current execution.</summary>
    public abstract T? GetInput<T>();

    /// <summary>Runs an activity and returns its result.</summary>
    public abstract Task<TResult> CallActivityAsync<TResult>(string name, object? input = null, TaskOptions? options = null);

    /// <summary>Runs an activity.</summary>
    public virtual Task CallActivityAsync(string name, object? input = null, TaskOptions? options = null) =>
        CallActivityAsync<object?>(name, input, options);

    /// <summary>Runs a sub-orchestration (instance id from <see cref="SubOrchestrationOptions.InstanceId"/>) and returns its output.</summary>
    public abstract Task<TResult> CallSubOrchestratorAsync<TResult>(string orchestratorName, object? input = null, TaskOptions? options = null);

    /// <summary>Runs a sub-orchestration.</summary>
    public virtual Task CallSubOrchestratorAsync(string orchestratorName, object? input = null, TaskOptions? options = null) =>
        CallSubOrchestratorAsync<object?>(orchestratorName, input, options);

    /// <summary>A durable timer that completes at <paramref name="fireAt"/> (UTC).</summary>
    public abstract Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken);

    /// <summary>A durable timer that completes after <paramref name="delay"/>.</summary>
    public virtual Task CreateTimer(TimeSpan delay, CancellationToken cancellationToken) =>
        CreateTimer(CurrentUtcDateTime.Add(delay), cancellationToken);

    /// <summary>Waits for an external event of that name (case-insensitive); events that came earlier are buffered.</summary>
    public abstract Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default);

    /// <summary>Waits for an external event, or throws <see cref="TaskCanceledException"/> after <paramref name="timeout"/>.</summary>
    public virtual async Task<T> WaitForExternalEvent<T>(string eventName, TimeSpan timeout)
    {
        using var timerCancel = new CancellationTokenSource();
        using var eventCancel = new CancellationTokenSource();
        var eventTask = WaitForExternalEvent<T>(eventName, eventCancel.Token);
        var timerTask = CreateTimer(timeout, timerCancel.Token);
        var winner = await Task.WhenAny(eventTask, timerTask);
        if (winner == eventTask)
        {
            timerCancel.Cancel();
            return await eventTask;
        }
        eventCancel.Cancel();
        throw new TaskCanceledException($"Timed out after {timeout} waiting for external event '{eventName}'.");
    }

    /// <summary>Sends an event to another instance (fire and forget).</summary>
    public abstract void SendEvent(string instanceId, string eventName, object? eventData);

    /// <summary>Sets the status queries report; committed with the turn.</summary>
    public abstract void SetCustomStatus(object? customStatus);

    /// <summary>
    /// Restarts the orchestration with <paramref name="newInput"/> and an empty history once the
    /// current code returns. With <paramref name="preserveUnprocessedEvents"/>, external events
    /// not yet consumed are delivered to the new execution.
    /// </summary>
    public abstract void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true);

    /// <summary>A deterministic GUID (name-based, UUID v5): the same on every replay.</summary>
    public abstract Guid NewGuid();

    /// <summary>The logger factory of the worker, for replay-safe loggers.</summary>
    protected abstract ILoggerFactory LoggerFactory { get; }

    /// <summary>A logger that writes only when the code is not replaying.</summary>
    public ILogger CreateReplaySafeLogger(string categoryName) => new ReplaySafeLogger(this, LoggerFactory.CreateLogger(categoryName));

    /// <summary>A logger that writes only when the code is not replaying.</summary>
    public ILogger CreateReplaySafeLogger<T>() => CreateReplaySafeLogger(typeof(T).FullName ?? typeof(T).Name);

    /// <summary>Wraps <paramref name="logger"/> so it writes only when the code is not replaying.</summary>
    public ILogger CreateReplaySafeLogger(ILogger logger) => new ReplaySafeLogger(this, logger);
}
