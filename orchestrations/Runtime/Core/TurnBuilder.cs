using Serverless.Orchestrations.Backends;

namespace Serverless.Orchestrations.Core;

/// <summary>
/// The state of one turn while it is built: the events it appends, the commands it emits, and
/// the live executor. Messages are applied in order; each may run orchestrator code until it
/// awaits again. See <see cref="OrchestrationTurnRunner"/>.
/// </summary>
internal sealed partial class TurnBuilder(OrchestrationTurnRunner runner, string instanceId, OrchestrationSession session, DateTime now)
{
    private readonly List<HistoryEvent> _turnHistory = [];
    private readonly List<ActivityRequest> _activities = [];
    private readonly List<OrchestrationMessage> _messages = [];
    private readonly Queue<OrchestrationMessage> _inbox = new();
    private OrchestrationRuntimeState _state = session.State;
    private OrchestrationExecutor? _executor = session.Executor;
    private string? _customStatus = session.CustomStatus;
    private bool _replacesHistory;
    private bool _turnStarted;
    private int _continuations;

    public TurnOutcome Run(IReadOnlyList<OrchestrationMessage> messages)
    {
        foreach (var message in messages)
            _inbox.Enqueue(message);
        try
        {
            while (_inbox.TryDequeue(out var message))
                Handle(message);
            if (_state.IsRunning)
                FlushActions();
        }
        catch (NonDeterministicOrchestrationException nonDeterminism)
        {
            FailNow(FailureDetails.FromException(nonDeterminism) with { IsNonRetriable = true });
        }
        return Finish();
    }

    public TurnOutcome Fail(IReadOnlyList<OrchestrationMessage> messages, FailureDetails failure)
    {
        // A start among the messages begins an execution (the first one, as in Run), with no code behind it.
        if (!_state.IsRunning && messages.Select(m => m.Event).OfType<ExecutionStartedEvent>().FirstOrDefault() is { } started)
            StartExecution(started, executor: null);
        if (_state.IsRunning)
            FailNow(failure);
        return Finish();
    }

    private void Handle(OrchestrationMessage message)
    {
        switch (message.Event)
        {
            case ExecutionStartedEvent started:
                if (!_state.IsRunning)
                    BeginExecution(started);
                return;
            case ExecutionTerminatedEvent terminated:
                if (!_state.IsRunning)
                    return;
                EnsureTurnStarted();
                Append(terminated);
                Complete(new ExecutionResult(OrchestrationRuntimeStatus.Terminated, terminated.Reason, null));
                return;
            default:
                // Unknown or finished instances drop their messages; so do executions that were continued-as-new.
                if (!_state.IsRunning || (message.TargetExecutionId is { } target && target != _state.Started!.ExecutionId))
                    return;
                if (EnsureExecutor() is not { } executor)
                    return;
                EnsureTurnStarted();
                Append(message.Event);
                executor.Process(message.Event, replaying: false);
                CompleteIfDone();
                return;
        }
    }

    private void BeginExecution(ExecutionStartedEvent started)
    {
        StartExecution(started, runner.CreateExecutor(started));
        if (_executor is null)
        {
            FailNow(new FailureDetails("OrchestratorNotFound", $"No orchestrator named '{started.Name}' is registered with this worker.", IsNonRetriable: true));
            return;
        }
        _executor.Process(started, replaying: false);
        CompleteIfDone();
    }

    /// <summary>Records the start of a new execution (replacing the stored history) run by <paramref name="executor"/>, if any.</summary>
    private void StartExecution(ExecutionStartedEvent started, OrchestrationExecutor? executor)
    {
        _state = new OrchestrationRuntimeState([]);
        _turnHistory.Clear();
        _replacesHistory = true;
        _turnStarted = false;
        _customStatus = null;
        _executor = executor;
        EnsureTurnStarted();
        Append(started);
    }

    /// <summary>The live executor, replaying stored history into a new one when none is cached.</summary>
    private OrchestrationExecutor? EnsureExecutor()
    {
        if (_executor is not null)
            return _executor;
        var executor = runner.CreateExecutor(_state.Started!);
        if (executor is null)
        {
            FailNow(new FailureDetails("OrchestratorNotFound", $"No orchestrator named '{_state.Started!.Name}' is registered with this worker.", IsNonRetriable: true));
            return null;
        }
        foreach (var recorded in _state.History)
            executor.Process(recorded, replaying: true);
        _executor = executor;
        _customStatus = executor.Context.CustomStatus;
        return executor;
    }

    private void EnsureTurnStarted()
    {
        if (_turnStarted)
            return;
        _turnStarted = true;
        var started = new OrchestratorStartedEvent(-1, now);
        Append(started);
        _executor?.Process(started, replaying: false);
    }

    private void Append(HistoryEvent historyEvent)
    {
        _turnHistory.Add(historyEvent);
        _state.Apply(historyEvent);
    }

    private void CompleteIfDone()
    {
        if (_executor?.Result is { } result)
            Complete(result);
    }
}
