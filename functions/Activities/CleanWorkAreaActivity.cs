using Microsoft.DurableTask;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs;
using Serverless.Jobs.Pages;

namespace Serverless.Activities;

/// <summary>Deletes a merged job's working area (<see cref="WorkAreaCleanup"/>); answers the objects deleted.</summary>
public sealed class CleanWorkAreaActivity(JobResources resources, ActivityShutdown shutdown) : TaskActivity<JobSpec, long>
{
    /// <inheritdoc/>
    public override Task<long> RunAsync(TaskActivityContext context, JobSpec job) =>
        WorkAreaCleanup.DeleteAsync(resources.Results(job.Output), job.JobId, shutdown.Token);
}
