using Serverless.Orchestrations.Backends;

namespace Serverless.Orchestrations.Core;

/// <summary>A turn to commit, and the session to keep in memory if the commit succeeds (null: nothing worth caching).</summary>
public sealed record TurnOutcome(OrchestrationTurn Turn, OrchestrationSession? NextSession);
