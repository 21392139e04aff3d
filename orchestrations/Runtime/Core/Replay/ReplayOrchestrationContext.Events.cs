namespace Serverless.Orchestrations.Core;

/// <summary>The event side of the context: history events matched against actions and open tasks.</summary>
internal sealed partial class ReplayOrchestrationContext
{
    private readonly Dictionary<string, Queue<TaskCompletionSource<string?>>> _eventWaiters = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<EventRaisedEvent> _bufferedEvents = [];

    /// <summary>External events received and not consumed by a waiter yet, in arrival order.</summary>
    internal IReadOnlyList<EventRaisedEvent> BufferedEvents => _bufferedEvents;

    public override Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default)
    {
        var index = _bufferedEvents.FindIndex(e => string.Equals(e.Name, eventName, StringComparison.OrdinalIgnoreCase));
        if (index >= 0)
        {
            var buffered = _bufferedEvents[index];
            _bufferedEvents.RemoveAt(index);
            return Task.FromResult(_converter.Deserialize<T>(buffered.Input)!);
        }
        if (!_eventWaiters.TryGetValue(eventName, out var waiters))
            _eventWaiters[eventName] = waiters = new Queue<TaskCompletionSource<string?>>();
        var completion = new TaskCompletionSource<string?>();
        waiters.Enqueue(completion);
        if (cancellationToken.CanBeCanceled)
            cancellationToken.Register(() => completion.TrySetCanceled(cancellationToken));
        return ReadAsync(completion.Task);

        async Task<T> ReadAsync(Task<string?> raw) => _converter.Deserialize<T>(await raw)!;
    }

    /// <summary>
    /// Consumes the pending action a recorded scheduling event stands for, or throws
    /// <see cref="NonDeterministicOrchestrationException"/> when the code did not ask for it.
    /// </summary>
    internal void MatchRecordedAction(HistoryEvent recorded)
    {
        var id = recorded.EventId;
        if (!_pendingActions.Remove(id, out var action))
            throw NonDeterminism($"history records {Describe(recorded)} as task #{id}, but the orchestrator code did not schedule anything at that point on replay");
        var matches = (recorded, action) switch
        {
            (TaskScheduledEvent e, ScheduleTaskAction a) => string.Equals(e.Name, a.Name, StringComparison.OrdinalIgnoreCase),
            (TimerCreatedEvent, CreateTimerAction) => true,
            (SubOrchestrationInstanceCreatedEvent e, CreateSubOrchestrationAction a) => string.Equals(e.Name, a.Name, StringComparison.OrdinalIgnoreCase),
            (EventSentEvent e, SendEventAction a) => string.Equals(e.Name, a.Name, StringComparison.OrdinalIgnoreCase),
            _ => false,
        };
        if (!matches)
            throw NonDeterminism($"history records {Describe(recorded)} as task #{id}, but the orchestrator code now schedules {action.Describe()} there");
    }

    /// <summary>Completes the open task <paramref name="taskId"/>; an unknown or already completed id is a duplicate and is ignored.</summary>
    internal void CompleteTask(int taskId, string? result)
    {
        if (_openTasks.Remove(taskId, out var open))
            open.Completion.TrySetResult(result);
    }

    /// <summary>Faults the open task <paramref name="taskId"/> with its own <see cref="TaskFailedException"/>; duplicates are ignored.</summary>
    internal void FailTask(int taskId, FailureDetails failure)
    {
        if (_openTasks.Remove(taskId, out var open))
            open.Completion.TrySetException(new TaskFailedException(open.Name, taskId, failure));
    }

    /// <summary>Hands an external event to the oldest waiter of that name, or buffers it.</summary>
    internal void RaiseEvent(EventRaisedEvent raised)
    {
        if (_eventWaiters.TryGetValue(raised.Name, out var waiters))
        {
            while (waiters.TryDequeue(out var waiter))
            {
                if (waiter.TrySetResult(raised.Input))
                    return;
            }
        }
        _bufferedEvents.Add(raised);
    }

    private NonDeterministicOrchestrationException NonDeterminism(string detail) =>
        new($"Non-deterministic orchestration '{Name}' (instance '{InstanceId}'): {detail}. "
            + "Orchestrator code must schedule the same calls in the same order on every replay; deploy code changes under a new orchestrator name or version.");

    private static string Describe(HistoryEvent e) => e switch
    {
        TaskScheduledEvent t => $"activity '{t.Name}'",
        TimerCreatedEvent => "a timer",
        SubOrchestrationInstanceCreatedEvent s => $"sub-orchestration '{s.Name}'",
        EventSentEvent s => $"event '{s.Name}' to '{s.InstanceId}'",
        _ => e.GetType().Name,
    };
}
