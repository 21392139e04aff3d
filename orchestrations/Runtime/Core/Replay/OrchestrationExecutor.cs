using Microsoft.Extensions.Logging;

namespace Serverless.Orchestrations.Core;

/// <summary>
/// One execution of an orchestrator, alive between turns: feeds history events to the code
/// (replayed or new) and reports when the code has finished. Kept in the worker's cache so
/// that a hot instance never replays its whole history for each new completion.
/// </summary>
internal sealed class OrchestrationExecutor
{
    private readonly OrchestrationTaskScheduler _scheduler = new();
    private readonly ITaskOrchestrator _orchestrator;
    private readonly DataConverter _converter;
    private readonly ExecutionStartedEvent _started;
    private Task<object?>? _run;

    public OrchestrationExecutor(ITaskOrchestrator orchestrator, ExecutionStartedEvent started, DataConverter converter, ILoggerFactory loggerFactory)
    {
        _orchestrator = orchestrator;
        _started = started;
        _converter = converter;
        Context = new ReplayOrchestrationContext(started, converter, loggerFactory);
    }

    public ReplayOrchestrationContext Context { get; }

    /// <summary>Set once the orchestrator code returned or threw.</summary>
    public ExecutionResult? Result { get; private set; }

    /// <summary>
    /// Applies one history event. Throws <see cref="NonDeterministicOrchestrationException"/>
    /// when a recorded scheduling event does not match what the code asked for.
    /// </summary>
    public void Process(HistoryEvent historyEvent, bool replaying)
    {
        if (Result is not null)
            return;
        Context.Replaying = replaying;
        switch (historyEvent)
        {
            case OrchestratorStartedEvent started:
                Context.Now = started.Timestamp;
                return;
            case ExecutionStartedEvent:
                _run = Task.Factory.StartNew(
                    () => _orchestrator.RunAsync(Context, _converter.Deserialize(_started.Input, _orchestrator.InputType)),
                    CancellationToken.None, TaskCreationOptions.None, _scheduler).Unwrap();
                break;
            case TaskScheduledEvent or TimerCreatedEvent or SubOrchestrationInstanceCreatedEvent or EventSentEvent:
                Context.MatchRecordedAction(historyEvent);
                return;
            case TaskCompletedEvent completed:
                Context.CompleteTask(completed.TaskScheduledId, completed.Result);
                break;
            case TaskFailedEvent failed:
                Context.FailTask(failed.TaskScheduledId, failed.FailureDetails);
                break;
            case SubOrchestrationInstanceCompletedEvent completed:
                Context.CompleteTask(completed.TaskScheduledId, completed.Result);
                break;
            case SubOrchestrationInstanceFailedEvent failed:
                Context.FailTask(failed.TaskScheduledId, failed.FailureDetails);
                break;
            case TimerFiredEvent fired:
                Context.CompleteTask(fired.TimerId, null);
                break;
            case EventRaisedEvent raised:
                Context.RaiseEvent(raised);
                break;
            default:
                return;
        }
        _scheduler.RunUntilIdle();
        if (_run is { IsCompleted: true })
            Result = ToResult(_run);
    }

    private ExecutionResult ToResult(Task<object?> run)
    {
        if (run.IsFaulted)
        {
            var exception = run.Exception!.InnerExceptions.Count == 1 ? run.Exception.InnerException! : run.Exception;
            return new ExecutionResult(OrchestrationRuntimeStatus.Failed, null, FailureDetails.FromException(exception));
        }
        if (run.IsCanceled)
            return new ExecutionResult(OrchestrationRuntimeStatus.Failed, null,
                new FailureDetails(typeof(TaskCanceledException).FullName!, "The orchestrator code was canceled."));
        if (Context.ContinueAsNewRequest is { } next)
            return new ExecutionResult(OrchestrationRuntimeStatus.ContinuedAsNew, next.Input, null);
        return new ExecutionResult(OrchestrationRuntimeStatus.Completed, _converter.Serialize(run.Result), null);
    }
}

/// <summary>How an execution ended: its status, serialized output (or next input) and failure.</summary>
internal sealed record ExecutionResult(OrchestrationRuntimeStatus Status, string? Output, FailureDetails? Failure);
