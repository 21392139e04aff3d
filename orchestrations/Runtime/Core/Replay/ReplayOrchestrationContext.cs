using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Serverless.Orchestrations.Core;

/// <summary>
/// The context the replay engine gives orchestrator code. Every durable call takes the next
/// sequence id and records a pending action; history events for that id consume it (see
/// <see cref="MatchRecordedAction"/>); what is left after a turn are the new commands.
/// </summary>
internal sealed partial class ReplayOrchestrationContext : TaskOrchestrationContext
{
    private readonly ExecutionStartedEvent _started;
    private readonly DataConverter _converter;
    private readonly ILoggerFactory _loggerFactory;
    private readonly SortedDictionary<int, OrchestratorAction> _pendingActions = new();
    private readonly Dictionary<int, OpenTask> _openTasks = new();
    private int _nextSequenceId;
    private int _guidCounter;

    public ReplayOrchestrationContext(ExecutionStartedEvent started, DataConverter converter, ILoggerFactory loggerFactory)
    {
        _started = started;
        _converter = converter;
        _loggerFactory = loggerFactory;
    }

    public override string Name => _started.Name;
    public override string InstanceId => _started.InstanceId;
    public override bool IsReplaying => Replaying;
    public override DateTime CurrentUtcDateTime => Now;
    protected override ILoggerFactory LoggerFactory => _loggerFactory;

    internal bool Replaying { get; set; }
    internal DateTime Now { get; set; }
    internal string? CustomStatus { get; private set; }
    internal (string? Input, bool PreserveEvents)? ContinueAsNewRequest { get; private set; }

    /// <summary>Actions the code asked for that history has not recorded yet, in sequence order.</summary>
    internal IReadOnlyCollection<OrchestratorAction> PendingActions => _pendingActions.Values;

    public override T? GetInput<T>() where T : default => _converter.Deserialize<T>(_started.Input);

    public override Task<TResult> CallActivityAsync<TResult>(string name, object? input = null, TaskOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var serialized = _converter.Serialize(input);
        Task<TResult> Once() => Schedule<TResult>(new ScheduleTaskAction(_nextSequenceId, name, serialized), TaskKind.Activity, name);
        return options?.Retry is { } retry ? RetryAsync(Once, retry) : Once();
    }

    public override Task<TResult> CallSubOrchestratorAsync<TResult>(string orchestratorName, object? input = null, TaskOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(orchestratorName);
        var instanceId = (options as SubOrchestrationOptions)?.InstanceId ?? NewGuid().ToString("N");
        var serialized = _converter.Serialize(input);
        Task<TResult> Once() => Schedule<TResult>(
            new CreateSubOrchestrationAction(_nextSequenceId, orchestratorName, instanceId, serialized), TaskKind.SubOrchestration, orchestratorName);
        return options?.Retry is { } retry ? RetryAsync(Once, retry) : Once();
    }

    public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken)
    {
        var completion = Open(new CreateTimerAction(_nextSequenceId, fireAt.ToUniversalTime()), TaskKind.Timer, "timer");
        if (cancellationToken.CanBeCanceled)
            cancellationToken.Register(() => completion.TrySetCanceled(cancellationToken));
        return completion.Task;
    }

    public override void SendEvent(string instanceId, string eventName, object? eventData)
    {
        var id = _nextSequenceId++;
        _pendingActions.Add(id, new SendEventAction(id, instanceId, eventName, _converter.Serialize(eventData)));
    }

    public override void SetCustomStatus(object? customStatus) => CustomStatus = _converter.Serialize(customStatus);

    public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true) =>
        ContinueAsNewRequest = (_converter.Serialize(newInput), preserveUnprocessedEvents);

    public override Guid NewGuid() => DeterministicGuid.Create(
        DeterministicGuid.OrchestrationNamespace,
        string.Concat(InstanceId, "_", Now.ToString("o", CultureInfo.InvariantCulture), "_", (_guidCounter++).ToString(CultureInfo.InvariantCulture)));

    private Task<TResult> Schedule<TResult>(OrchestratorAction action, TaskKind kind, string name)
    {
        var completion = Open(action, kind, name);
        return ReadAsync(completion.Task);

        async Task<TResult> ReadAsync(Task<string?> raw) => (TResult)_converter.Deserialize(await raw, typeof(TResult))!;
    }

    private TaskCompletionSource<string?> Open(OrchestratorAction action, TaskKind kind, string name)
    {
        _nextSequenceId = action.Id + 1;
        _pendingActions.Add(action.Id, action);
        var completion = new TaskCompletionSource<string?>();
        _openTasks.Add(action.Id, new OpenTask(kind, name, completion));
        return completion;
    }

    private async Task<TResult> RetryAsync<TResult>(Func<Task<TResult>> attempt, RetryPolicy policy)
    {
        var firstAttemptAt = Now;
        for (var number = 1; ; number++)
        {
            try
            {
                return await attempt();
            }
            catch (TaskFailedException failed) when (number < policy.MaxNumberOfAttempts
                && !failed.FailureDetails.IsNonRetriable
                && policy.Handle(failed.FailureDetails)
                && (policy.RetryTimeout == Timeout.InfiniteTimeSpan || Now - firstAttemptAt < policy.RetryTimeout))
            {
                await CreateTimer(Now + policy.GetDelay(number), CancellationToken.None);
            }
        }
    }

    private enum TaskKind { Activity, SubOrchestration, Timer }

    private sealed record OpenTask(TaskKind Kind, string Name, TaskCompletionSource<string?> Completion);
}
