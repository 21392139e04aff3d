using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Backends;

/// <summary>
/// Query, purge and admin operations of a task hub, for the client and for tools. Reads may
/// lag a just-committed turn only as far as the instance row lags its history.
/// </summary>
public interface IOrchestrationQueryBackend
{
    /// <summary>
    /// The instance row, or null when the instance does not exist. When
    /// <paramref name="includePayloads"/> is false, Input and Output may be left null (a backend
    /// that stores large payloads elsewhere skips fetching them); CustomStatus is always returned.
    /// </summary>
    Task<OrchestrationState?> GetInstanceAsync(string instanceId, bool includePayloads, CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of instances matching <paramref name="query"/>. The continuation token of the
    /// result, passed back in the next query, yields the next page; null means no more pages.
    /// Order is by instance id (stable across pages); pages may be shorter than the page size.
    /// </summary>
    Task<InstancePage> ListInstancesAsync(InstanceQuery query, CancellationToken cancellationToken = default);

    /// <summary>The current execution's stored history, oldest first; empty if the instance does not exist.</summary>
    Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string instanceId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a terminal instance: its row, history, pending messages and stored payloads.
    /// Does nothing for a Pending or Running instance.
    /// </summary>
    /// <returns>True when something was deleted; false when the instance is unknown or not terminal.</returns>
    Task<bool> PurgeInstanceAsync(string instanceId, CancellationToken cancellationToken = default);
}
