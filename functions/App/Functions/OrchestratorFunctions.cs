using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Serverless.BatchInference.Contracts;
using Serverless.BatchInference.Orchestrators;

namespace Serverless.App.Functions;

/// <summary>The job's orchestrators as orchestration triggers: the same classes `serverless host` runs.</summary>
public sealed class OrchestratorFunctions
{
    [Function(ActivityNames.BatchJob)]
    public Task<JobOutput?> BatchJob([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new BatchJobOrchestrator().RunAsync(context, context.GetInput<JobState>()!);

    [Function(ActivityNames.ClassifyPage)]
    public Task<PageResult> ClassifyPage([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new ClassifyPageOrchestrator().RunAsync(context, context.GetInput<PageInput>()!);
}

/// <summary>The scheduler entity (priorities, fair share, quotas): the same class `serverless host` runs.</summary>
public sealed class SchedulerFunctions
{
    [Function(Serverless.BatchInference.Scheduling.SchedulerIds.Name)]
    public Task JobScheduler([EntityTrigger] TaskEntityDispatcher dispatcher) =>
        dispatcher.DispatchAsync<Serverless.BatchInference.Scheduling.JobScheduler>();
}
