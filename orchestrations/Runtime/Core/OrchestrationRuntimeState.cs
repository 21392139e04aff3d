namespace Serverless.Orchestrations.Core;

/// <summary>The history of the current execution of an instance and what follows from it.</summary>
public sealed class OrchestrationRuntimeState
{
    private readonly List<HistoryEvent> _history = [];
    private readonly Dictionary<int, string> _runningChildren = [];

    /// <summary>Rebuilds the state from stored history.</summary>
    public OrchestrationRuntimeState(IEnumerable<HistoryEvent> history)
    {
        foreach (var e in history)
            Apply(e);
    }

    /// <summary>Every event of the current execution, oldest first.</summary>
    public IReadOnlyList<HistoryEvent> History => _history;

    /// <summary>The start of the current execution, or null for an instance that never started.</summary>
    public ExecutionStartedEvent? Started { get; private set; }

    /// <summary>The end of the current execution, or null while it runs.</summary>
    public ExecutionCompletedEvent? Completed { get; private set; }

    /// <summary>True when started and not ended.</summary>
    public bool IsRunning => Started is not null && Completed is null;

    /// <summary>Sub-orchestrations started and not finished: task id to instance id.</summary>
    public IReadOnlyDictionary<int, string> RunningChildren => _runningChildren;

    /// <summary>Appends an event and updates what follows from it.</summary>
    public void Apply(HistoryEvent e)
    {
        _history.Add(e);
        switch (e)
        {
            case ExecutionStartedEvent started:
                Started = started;
                break;
            case ExecutionCompletedEvent completed:
                Completed = completed;
                break;
            case SubOrchestrationInstanceCreatedEvent created:
                _runningChildren[created.EventId] = created.InstanceId;
                break;
            case SubOrchestrationInstanceCompletedEvent done:
                _runningChildren.Remove(done.TaskScheduledId);
                break;
            case SubOrchestrationInstanceFailedEvent failed:
                _runningChildren.Remove(failed.TaskScheduledId);
                break;
        }
    }
}
