using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Activities;
using Serverless.BatchInference;
using Serverless.BatchInference.Contracts;
using Serverless.BatchInference.Scheduling;

namespace Serverless.Host.Durable;

/// <summary>
/// The durable worker of `serverless host`: DurableTask.Core's <see cref="TaskHubWorker"/> over the
/// Azure Storage task hub, running the job's orchestrators and activities through the public
/// Durable Task shims (the same classes a Functions app runs). On stop it takes no new activity,
/// lets running ones finish for <see cref="TaskHubOptions.ShutdownDrainTimeout"/>, releases the
/// rest to the queue, and then stops the engine, which gives its partition leases back.
/// </summary>
internal sealed class TaskHubWorkerService(
    AzureStorageOrchestrationService service, AzureStorageOrchestrationServiceSettings settings, IServiceProvider services, ActivityDrain drain,
    IOptions<TaskHubOptions> options, ILoggerFactory loggers) : IHostedService
{
    private readonly ILogger logger = loggers.CreateLogger<TaskHubWorkerService>();
    private TaskHubWorker? worker;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var shims = new DurableTaskShimFactory(new DurableTaskWorkerOptions { DataConverter = BatchJson.Converter, EnableEntitySupport = true }, loggers);
        worker = new TaskHubWorker(new EntitySessionsOff(service), loggers)
        {
            // The shims read failures as FailureDetails (error type and message), as Durable Functions does.
            ErrorPropagationMode = ErrorPropagationMode.UseFailureDetails,
        };
        worker.AddTaskOrchestrations(BatchOrchestrators.All.Select(o => (ObjectCreator<TaskOrchestration>)new OrchestrationShimCreator(o.Name, o.Type, shims, services)).ToArray());
        worker.AddTaskActivities(BatchActivities.All.Select(a => (ObjectCreator<TaskActivity>)new ActivityShimCreator(a.Name, a.Type, shims, services, drain)).ToArray());
        // The scheduler (priorities, fair share, quotas) is a durable entity in the same task hub.
        worker.AddTaskEntities(new EntityShimCreator(SchedulerIds.Name, typeof(JobScheduler), shims, services));
        await worker.StartAsync().ConfigureAwait(false);
        logger.LogInformation("Durable worker {WorkerId} started on task hub {Hub}", settings.WorkerId, options.Value.HubName);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (worker is null)
            return;
        // No new activities; orchestrations keep running so finished batches are still recorded.
        await worker.TaskActivityDispatcher.StopAsync(forced: true).ConfigureAwait(false);
        if (drain.Running > 0)
            logger.LogInformation("Stopping: waiting up to {Timeout} for {Running} running activities", options.Value.ShutdownDrainTimeout, drain.Running);
        var running = drain.Running;
        await drain.DrainAsync(options.Value.ShutdownDrainTimeout, cancellationToken).ConfigureAwait(false);
        // Says which way the running batches went: an operator (and a test) can tell a drain from a release.
        if (drain.Cancelled)
            logger.LogInformation("Stopping: drain timeout passed, {Running} running activities released to other workers", drain.Running);
        else if (running > 0)
            logger.LogInformation("Stopping: the {Running} running activities finished", running);
        else
            logger.LogInformation("Stopping: no activity was running");
        // Give released activities a moment to hand their messages back before the engine stops.
        for (var i = 0; i < 50 && drain.Running > 0; i++)
            await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
        await worker.StopAsync(isForced: false).ConfigureAwait(false);
        logger.LogInformation("Durable worker {WorkerId} stopped", settings.WorkerId);
    }
}
