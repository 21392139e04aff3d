using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Backends.AzureStorage;

public sealed partial class AzureStorageOrchestrationBackend
{
    /// <inheritdoc/>
    public async Task<OrchestrationState?> GetInstanceAsync(string instanceId, bool includePayloads, CancellationToken cancellationToken = default)
    {
        var rowTask = _instances.ReadRowAsync(instanceId, includePayloads, cancellationToken);
        var sentinelTask = _history.ReadSentinelAsync(instanceId, cancellationToken);
        var row = await rowTask.ConfigureAwait(false);
        var sentinel = await sentinelTask.ConfigureAwait(false);
        if (sentinel is not null && sentinel.ContainsKey("Name") && (row?.GetInt64("Turn") ?? -1) < (sentinel.GetInt64("Turn") ?? 0))
        {
            // The row lags its history (a crash between the commit and the row update): rebuild it.
            await UpdateInstanceRowAsync(sentinel, cancellationToken).ConfigureAwait(false);
            return await _stateCodec.ReadAsync(sentinel, includePayloads, cancellationToken).ConfigureAwait(false);
        }
        return row is null ? null : await _stateCodec.ReadAsync(row, includePayloads, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<InstancePage> ListInstancesAsync(InstanceQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return _instances.ListAsync(query, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var snapshot = await _history.LoadAsync(instanceId, cancellationToken).ConfigureAwait(false);
        return snapshot?.Events ?? [];
    }

    /// <inheritdoc/>
    public async Task<bool> PurgeInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var state = await GetInstanceAsync(instanceId, includePayloads: false, cancellationToken).ConfigureAwait(false);
        if (state is null || !state.RuntimeStatus.IsTerminal())
            return false;
        await _history.DeletePartitionAsync(instanceId, cancellationToken).ConfigureAwait(false);
        await _instances.DeleteAsync(instanceId, cancellationToken).ConfigureAwait(false);
        await _payloads.DeleteInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false);
        _cache.TryRemove(instanceId, out _);
        return true;
    }
}
