using Serverless.Orchestrations.Backends;

namespace Serverless.Orchestrations.Core;

/// <summary>How a turn turns actions into commands and ends executions.</summary>
internal sealed partial class TurnBuilder
{
    private void Complete(ExecutionResult result)
    {
        FlushActions();
        _customStatus = _executor?.Context.CustomStatus ?? _customStatus;
        var started = _state.Started!;
        if (result.Status == OrchestrationRuntimeStatus.ContinuedAsNew)
        {
            ContinueAsNew(started, result.Output);
            return;
        }
        if (result.Status == OrchestrationRuntimeStatus.Terminated)
            TerminateChildren(started, result.Output);
        Append(new ExecutionCompletedEvent(-1, now, result.Status, result.Output, result.Failure));
        NotifyParent(started, result);
        _executor = null;
    }

    private void FailNow(FailureDetails failure)
    {
        _customStatus = _executor?.Context.CustomStatus ?? _customStatus;
        EnsureTurnStarted();
        var result = new ExecutionResult(OrchestrationRuntimeStatus.Failed, null, failure);
        Append(new ExecutionCompletedEvent(-1, now, result.Status, null, failure));
        NotifyParent(_state.Started!, result);
        _executor = null;
    }

    private void ContinueAsNew(ExecutionStartedEvent started, string? newInput)
    {
        var preserve = _executor!.Context.ContinueAsNewRequest!.Value.PreserveEvents;
        var carried = new List<OrchestrationMessage>();
        if (preserve)
            carried.AddRange(_executor.Context.BufferedEvents.Select((e, i) => new OrchestrationMessage($"carried:{i}", instanceId, e)));
        // Messages still waiting in this turn: events move to the new execution (if preserved) and
        // terminate requests still apply; completions belong to the old execution and are dropped.
        foreach (var waiting in _inbox)
        {
            if ((preserve && waiting.Event is EventRaisedEvent) || waiting.Event is ExecutionTerminatedEvent)
                carried.Add(waiting with { TargetExecutionId = null });
        }
        _inbox.Clear();
        if (++_continuations > runner.MaxContinueAsNewPerTurn)
        {
            FailNow(new FailureDetails("ContinueAsNewLoop",
                $"The orchestration continued as new {runner.MaxContinueAsNewPerTurn} times in one turn without awaiting anything.", IsNonRetriable: true));
            return;
        }
        // The new execution keeps the instance's creation time as its start timestamp.
        var executionId = DeterministicGuid.Create(DeterministicGuid.OrchestrationNamespace, $"{instanceId}:{started.ExecutionId}:continue").ToString("N");
        foreach (var message in carried)
            _inbox.Enqueue(message);
        BeginExecution(started with { ExecutionId = executionId, Input = newInput });
    }

    /// <summary>Records the actions the code asked for in this turn and emits their commands.</summary>
    private void FlushActions()
    {
        if (_executor is null)
            return;
        var started = _state.Started!;
        var execution = started.ExecutionId;
        foreach (var action in _executor.Context.PendingActions.ToArray())
        {
            var prefix = $"{instanceId}:{execution}";
            HistoryEvent recorded;
            switch (action)
            {
                case ScheduleTaskAction task:
                    recorded = new TaskScheduledEvent(task.Id, now, task.Name, task.Input);
                    _activities.Add(new ActivityRequest($"{prefix}:{task.Id}", instanceId, execution, task.Id, task.Name, task.Input));
                    break;
                case CreateTimerAction timer:
                    recorded = new TimerCreatedEvent(timer.Id, now, timer.FireAt);
                    _messages.Add(new OrchestrationMessage($"{prefix}:timer:{timer.Id}", instanceId, new TimerFiredEvent(-1, timer.FireAt, timer.Id, timer.FireAt))
                    {
                        TargetExecutionId = execution,
                        VisibleAtUtc = timer.FireAt,
                    });
                    break;
                case CreateSubOrchestrationAction sub:
                    recorded = new SubOrchestrationInstanceCreatedEvent(sub.Id, now, sub.Name, sub.InstanceId, sub.Input);
                    var messageId = $"{prefix}:sub:{sub.Id}";
                    var childExecution = DeterministicGuid.Create(DeterministicGuid.OrchestrationNamespace, messageId).ToString("N");
                    _messages.Add(new OrchestrationMessage(messageId, sub.InstanceId, new ExecutionStartedEvent(
                        -1, now, sub.Name, sub.InstanceId, childExecution, sub.Input, new ParentInstance(started.Name, instanceId, execution, sub.Id))));
                    break;
                case SendEventAction send:
                    recorded = new EventSentEvent(send.Id, now, send.InstanceId, send.Name, send.Input);
                    _messages.Add(new OrchestrationMessage($"{prefix}:event:{send.Id}", send.InstanceId, new EventRaisedEvent(-1, now, send.Name, send.Input)));
                    break;
                default:
                    throw new InvalidOperationException($"Unknown action {action}.");
            }
            Append(recorded);
            _executor.Context.MatchRecordedAction(recorded);
        }
    }

    private void NotifyParent(ExecutionStartedEvent started, ExecutionResult result)
    {
        if (started.Parent is not { } parent)
            return;
        HistoryEvent completion = result.Status == OrchestrationRuntimeStatus.Completed
            ? new SubOrchestrationInstanceCompletedEvent(-1, now, parent.TaskScheduledId, result.Output)
            : new SubOrchestrationInstanceFailedEvent(-1, now, parent.TaskScheduledId, result.Failure
                ?? new FailureDetails("Terminated", $"Sub-orchestration '{started.Name}' ({instanceId}) was terminated: {result.Output}"));
        _messages.Add(new OrchestrationMessage($"{instanceId}:{started.ExecutionId}:done", parent.InstanceId, completion)
        {
            TargetExecutionId = parent.ExecutionId,
        });
    }

    private void TerminateChildren(ExecutionStartedEvent started, string? reason)
    {
        foreach (var (taskId, childId) in _state.RunningChildren)
        {
            _messages.Add(new OrchestrationMessage($"{instanceId}:{started.ExecutionId}:terminate:{taskId}", childId,
                new ExecutionTerminatedEvent(-1, now, reason)));
        }
    }

    private TurnOutcome Finish()
    {
        if (_executor is not null)
            _customStatus = _executor.Context.CustomStatus;
        var started = _state.Started;
        OrchestrationState? row = null;
        if (started is not null && _turnHistory.Count > 0)
        {
            var completed = _state.Completed;
            row = new OrchestrationState
            {
                InstanceId = instanceId,
                ExecutionId = started.ExecutionId,
                Name = started.Name,
                RuntimeStatus = completed?.Status ?? OrchestrationRuntimeStatus.Running,
                Input = started.Input,
                Output = completed?.Result,
                CustomStatus = _customStatus,
                FailureDetails = completed?.FailureDetails,
                CreatedAt = started.Timestamp,
                LastUpdatedAt = now,
                ParentInstanceId = started.Parent?.InstanceId,
            };
        }
        var turn = new OrchestrationTurn
        {
            ExecutionId = started?.ExecutionId ?? string.Empty,
            ReplacesHistory = _replacesHistory,
            NewHistory = _turnHistory.ToArray(),
            NewActivities = _activities,
            NewMessages = _messages,
            State = row,
        };
        return new TurnOutcome(turn, _state.IsRunning ? new OrchestrationSession(_state, _executor, _customStatus) : null);
    }
}
