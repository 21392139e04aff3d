using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Backends;

/// <summary>One page of a listing; <paramref name="ContinuationToken"/> is null on the last page.</summary>
public sealed record InstancePage(IReadOnlyList<OrchestrationState> Instances, string? ContinuationToken);
