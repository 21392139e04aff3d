using Microsoft.Extensions.Logging;
using Serverless.Orchestrations.Backends;
using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Worker;

/// <summary>
/// Runs orchestration turns: loads the instance (from the session cache when the stored
/// history has not changed, so a hot instance is not replayed), applies every message of the
/// work item in one turn, and commits the turn. The lock is renewed while the history loads and
/// the turn runs (a long replay may outlast it); after the commit, this process's pollers are
/// told about the work the turn produced.
/// </summary>
internal sealed class OrchestrationDispatcher(
    IOrchestrationBackend backend,
    OrchestrationTurnRunner runner,
    OrchestrationSessionCache cache,
    DurableTaskOptions options,
    WorkerSignals signals,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>How long a turn that failed for an unexpected reason waits before its messages are delivered again.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    public async Task ProcessAsync(OrchestrationWorkItem item)
    {
        var cached = cache.TryTake(item.InstanceId, out var session, out var version);
        try
        {
            TurnOutcome outcome;
            // Renewal stops before the commit: a backend may not renew and commit one work item at the same time.
            await using (new LockRenewal(ct => backend.RenewOrchestrationWorkItemLockAsync(item, ct), options.LockRenewalInterval, logger,
                $"orchestration '{item.InstanceId}'"))
            {
                var history = await backend.GetOrchestrationHistoryAsync(item, cached ? version : null).ConfigureAwait(false);
                if (!cached || !history.NotModified)
                    session = OrchestrationSession.FromHistory(history.Events ?? []);
                var now = time.GetUtcNow().UtcDateTime;
                outcome = item.DequeueCount > options.StorageProvider.MaxDequeueCount
                    ? Poisoned(item, session, now)
                    : runner.Run(item.InstanceId, session, item.Messages, now);
            }
            var newVersion = await backend.CompleteOrchestrationWorkItemAsync(item, outcome.Turn).ConfigureAwait(false);
            if (outcome.NextSession is { } next)
                cache.Put(item.InstanceId, next, newVersion);
            Announce(outcome.Turn);
        }
        catch (LockLostException ex)
        {
            logger.LogWarning(ex, "Lost the lock on orchestration '{InstanceId}'; the turn will run again elsewhere.", item.InstanceId);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Orchestration turn of '{InstanceId}' failed; abandoning its work item.", item.InstanceId);
            await backend.AbandonOrchestrationWorkItemAsync(item, RetryDelay).ConfigureAwait(false);
            signals.Orchestrations.WakeAt(time.GetUtcNow().UtcDateTime + RetryDelay);
        }
    }

    private TurnOutcome Poisoned(OrchestrationWorkItem item, OrchestrationSession session, DateTime now)
    {
        logger.LogError("Messages of orchestration '{InstanceId}' were delivered {Count} times without a committed turn; failing it as a poison message.",
            item.InstanceId, item.DequeueCount);
        return runner.FailPoisoned(item.InstanceId, session, item.Messages, item.DequeueCount, now);
    }

    /// <summary>Wakes this process's pollers for what the committed turn enqueued.</summary>
    private void Announce(OrchestrationTurn turn)
    {
        if (turn.NewActivities.Count > 0)
            signals.Activities.Nudge();
        var now = time.GetUtcNow().UtcDateTime;
        var nudge = false;
        foreach (var message in turn.NewMessages)
        {
            if (message.VisibleAtUtc is { } at && at > now)
                signals.Orchestrations.WakeAt(at);
            else
                nudge = true;
        }
        if (nudge)
            signals.Orchestrations.Nudge();
    }
}
