using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Orchestrations.Backends;

namespace Serverless.Orchestrations.Core;

/// <summary>
/// Runs one orchestration turn: applies a work item's messages to an instance (replaying its
/// history first when no live executor is cached) and returns everything to commit. Pure with
/// respect to storage: the caller commits the result.
/// </summary>
public sealed class OrchestrationTurnRunner(
    DurableTaskRegistry registry, IServiceProvider services, DataConverter? converter = null, ILoggerFactory? loggerFactory = null)
{
    private readonly DataConverter _converter = converter ?? DataConverter.Default;
    private readonly ILoggerFactory _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;

    /// <summary>Most executions one turn may start through ContinueAsNew before the instance fails.</summary>
    public int MaxContinueAsNewPerTurn { get; init; } = 1000;

    /// <summary>Applies <paramref name="messages"/> to the instance held by <paramref name="session"/>.</summary>
    public TurnOutcome Run(string instanceId, OrchestrationSession session, IReadOnlyList<OrchestrationMessage> messages, DateTime utcNow) =>
        new TurnBuilder(this, instanceId, session, utcNow).Run(messages);

    /// <summary>
    /// Fails an instance whose <paramref name="messages"/> were delivered too often (they keep
    /// crashing the worker), without running its code. An instance that never started (its
    /// start message is the poison) is started and failed in the same turn, so it does not stay
    /// Pending and its parent learns of the failure. The messages are consumed.
    /// </summary>
    public TurnOutcome FailPoisoned(string instanceId, OrchestrationSession session, IReadOnlyList<OrchestrationMessage> messages, int dequeueCount, DateTime utcNow) =>
        new TurnBuilder(this, instanceId, session, utcNow).Fail(messages, new FailureDetails(
            FailureDetails.PoisonMessageErrorType,
            $"The orchestration's messages were delivered {dequeueCount} times without completing a turn.",
            IsNonRetriable: true));

    internal OrchestrationExecutor? CreateExecutor(ExecutionStartedEvent started)
    {
        var orchestrator = registry.CreateOrchestrator(started.Name, services);
        return orchestrator is null ? null : new OrchestrationExecutor(orchestrator, started, _converter, _loggerFactory);
    }
}
