using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Backends.InMemory;

public sealed partial class InMemoryOrchestrationBackend
{
    /// <inheritdoc/>
    public Task<OrchestrationState?> GetInstanceAsync(string instanceId, bool includePayloads, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var state = _instances.TryGetValue(instanceId, out var record) ? record.State : null;
            return Task.FromResult(state is null ? null : Shape(state, includePayloads));
        }
    }

    /// <inheritdoc/>
    public Task<InstancePage> ListInstancesAsync(InstanceQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageSize, 1);
        lock (_gate)
        {
            var matches = _instances.Values
                .Select(r => r.State)
                .OfType<OrchestrationState>()
                .Where(s => query.ContinuationToken is null || string.CompareOrdinal(s.InstanceId, query.ContinuationToken) > 0)
                .Where(s => query.RuntimeStatuses is null || query.RuntimeStatuses.Contains(s.RuntimeStatus))
                .Where(s => query.CreatedFrom is null || s.CreatedAt >= query.CreatedFrom)
                .Where(s => query.CreatedTo is null || s.CreatedAt < query.CreatedTo)
                .Where(s => query.InstanceIdPrefix is null || s.InstanceId.StartsWith(query.InstanceIdPrefix, StringComparison.Ordinal))
                .OrderBy(s => s.InstanceId, StringComparer.Ordinal)
                .Take(query.PageSize + 1)
                .ToList();
            var more = matches.Count > query.PageSize;
            var page = matches.Take(query.PageSize).Select(s => Shape(s, query.FetchInputsAndOutputs)).ToArray();
            return Task.FromResult(new InstancePage(page, more ? page[^1].InstanceId : null));
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<HistoryEvent> history = _instances.TryGetValue(instanceId, out var record) ? record.History.ToArray() : [];
            return Task.FromResult(history);
        }
    }

    /// <inheritdoc/>
    public Task<bool> PurgeInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_instances.TryGetValue(instanceId, out var record) || record.State is null || !record.State.RuntimeStatus.IsTerminal())
                return Task.FromResult(false);
            _instances.Remove(instanceId);
            return Task.FromResult(true);
        }
    }

    private static OrchestrationState Shape(OrchestrationState state, bool includePayloads) =>
        includePayloads ? state : state with { Input = null, Output = null };
}
