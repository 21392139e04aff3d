using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Backends;

/// <summary>The stored history of an instance, as loaded for a turn.</summary>
/// <param name="Events">The history of the current execution, oldest first; empty if the instance does not exist.
/// Null only when <paramref name="NotModified"/> is true.</param>
/// <param name="Version">An opaque version (ETag) of the stored history; null if the instance does not exist.</param>
/// <param name="NotModified">True when the caller's cached version is still current and <paramref name="Events"/> was not read.</param>
public sealed record OrchestrationHistory(IReadOnlyList<HistoryEvent>? Events, string? Version, bool NotModified = false)
{
    /// <summary>The history of an instance that does not exist.</summary>
    public static OrchestrationHistory Empty { get; } = new([], null);
}
