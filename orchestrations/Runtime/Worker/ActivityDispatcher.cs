using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Orchestrations.Backends;
using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Worker;

/// <summary>
/// Runs activities: one work item, one invocation, its result (or failure) sent back to the
/// orchestration. A work item delivered more than <c>MaxDequeueCount</c> times is not run again:
/// it fails with <see cref="FailureDetails.PoisonMessageErrorType"/>. Once the result is sent,
/// this process's orchestration poller is nudged so the next turn runs at once.
/// </summary>
internal sealed class ActivityDispatcher(
    IOrchestrationBackend backend,
    DurableTaskRegistry registry,
    IServiceProvider services,
    DataConverter converter,
    DurableTaskOptions options,
    WorkerSignals signals,
    TimeProvider time,
    ILogger logger)
{
    public async Task ProcessAsync(ActivityWorkItem item, CancellationToken hardStop)
    {
        var request = item.Request;
        HistoryEvent result;
        if (item.DequeueCount > options.StorageProvider.MaxDequeueCount)
        {
            logger.LogError("Activity '{Name}' (task #{TaskId} of '{InstanceId}') was delivered {Count} times; failing it as a poison message.",
                request.Name, request.TaskId, request.InstanceId, item.DequeueCount);
            result = Failed(new FailureDetails(FailureDetails.PoisonMessageErrorType,
                $"Activity '{request.Name}' was delivered {item.DequeueCount} times without completing (limit {options.StorageProvider.MaxDequeueCount}); it is treated as a poison message.",
                IsNonRetriable: true));
        }
        else
        {
            try
            {
                result = await RunAsync(item, hardStop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (hardStop.IsCancellationRequested)
            {
                // Shutdown ran out of time: release the item so another worker runs it.
                await backend.AbandonActivityWorkItemAsync(item).ConfigureAwait(false);
                return;
            }
        }
        try
        {
            var response = new OrchestrationMessage($"{request.MessageId}:result", request.InstanceId, result) { TargetExecutionId = request.ExecutionId };
            await backend.CompleteActivityWorkItemAsync(item, response).ConfigureAwait(false);
            // The orchestration waiting for this result may be handled by this very process.
            signals.Orchestrations.Nudge();
        }
        catch (LockLostException ex)
        {
            logger.LogWarning(ex, "Lost the lock on activity '{Name}' of '{InstanceId}'; it will run again.", request.Name, request.InstanceId);
        }

        HistoryEvent Failed(FailureDetails failure) => new TaskFailedEvent(-1, time.GetUtcNow().UtcDateTime, request.TaskId, failure);
    }

    private async Task<HistoryEvent> RunAsync(ActivityWorkItem item, CancellationToken hardStop)
    {
        var request = item.Request;
        await using var scope = services.CreateAsyncScope();
        var activity = registry.CreateActivity(request.Name, scope.ServiceProvider);
        if (activity is null)
        {
            return new TaskFailedEvent(-1, time.GetUtcNow().UtcDateTime, request.TaskId, new FailureDetails(
                "ActivityNotFound", $"No activity named '{request.Name}' is registered with this worker.", IsNonRetriable: true));
        }
        await using var renewal = new LockRenewal(ct => backend.RenewActivityWorkItemLockAsync(item, ct), options.LockRenewalInterval, logger, $"activity '{request.Name}'");
        var context = new TaskActivityContext(request.Name, request.InstanceId, request.TaskId, item.DequeueCount, hardStop);
        try
        {
            var run = Task.Run(() => activity.RunAsync(context, converter.Deserialize(request.Input, activity.InputType)), CancellationToken.None);
            var output = await run.WaitAsync(hardStop).ConfigureAwait(false);
            return new TaskCompletedEvent(-1, time.GetUtcNow().UtcDateTime, request.TaskId, converter.Serialize(output));
        }
        catch (OperationCanceledException) when (hardStop.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            return new TaskFailedEvent(-1, time.GetUtcNow().UtcDateTime, request.TaskId, FailureDetails.FromException(ex));
        }
    }
}
