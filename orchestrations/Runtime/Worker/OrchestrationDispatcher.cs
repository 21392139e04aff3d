using Microsoft.Extensions.Logging;
using Serverless.Orchestrations.Backends;
using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Worker;

/// <summary>
/// Runs orchestration turns: loads the instance (from the session cache when the stored
/// history has not changed, so a hot instance is not replayed), applies every message of the
/// work item in one turn, and commits the turn.
/// </summary>
internal sealed class OrchestrationDispatcher(
    IOrchestrationBackend backend,
    OrchestrationTurnRunner runner,
    OrchestrationSessionCache cache,
    DurableTaskOptions options,
    TimeProvider time,
    ILogger logger)
{
    public async Task ProcessAsync(OrchestrationWorkItem item)
    {
        var cached = cache.TryTake(item.InstanceId, out var session, out var version);
        try
        {
            var history = await backend.GetOrchestrationHistoryAsync(item, cached ? version : null).ConfigureAwait(false);
            if (!cached || !history.NotModified)
                session = OrchestrationSession.FromHistory(history.Events ?? []);
            var now = time.GetUtcNow().UtcDateTime;
            var outcome = item.DequeueCount > options.StorageProvider.MaxDequeueCount
                ? runner.FailPoisoned(item.InstanceId, session, item.DequeueCount, now)
                : runner.Run(item.InstanceId, session, item.Messages, now);
            var newVersion = await backend.CompleteOrchestrationWorkItemAsync(item, outcome.Turn).ConfigureAwait(false);
            if (outcome.NextSession is { } next)
                cache.Put(item.InstanceId, next, newVersion);
        }
        catch (LockLostException ex)
        {
            logger.LogWarning(ex, "Lost the lock on orchestration '{InstanceId}'; the turn will run again elsewhere.", item.InstanceId);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Orchestration turn of '{InstanceId}' failed; abandoning its work item.", item.InstanceId);
            await backend.AbandonOrchestrationWorkItemAsync(item, TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
    }
}
