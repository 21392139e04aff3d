namespace Serverless.Orchestrations.Core;

/// <summary>
/// An instance as the worker holds it between turns: its runtime state and, while it runs,
/// the live executor with the orchestrator code suspended at its awaits. A session built from
/// stored history has no executor yet; the next turn replays the history to create one.
/// </summary>
public sealed class OrchestrationSession
{
    internal OrchestrationSession(OrchestrationRuntimeState state, OrchestrationExecutor? executor, string? customStatus)
    {
        State = state;
        Executor = executor;
        CustomStatus = customStatus;
    }

    /// <summary>A session for stored history (empty for an instance not created yet).</summary>
    public static OrchestrationSession FromHistory(IEnumerable<HistoryEvent> history) => new(new OrchestrationRuntimeState(history), null, null);

    /// <summary>The current execution's history and derived facts.</summary>
    public OrchestrationRuntimeState State { get; }

    /// <summary>Number of history events of the current execution.</summary>
    public int HistoryCount => State.History.Count;

    internal OrchestrationExecutor? Executor { get; }

    internal string? CustomStatus { get; }
}
