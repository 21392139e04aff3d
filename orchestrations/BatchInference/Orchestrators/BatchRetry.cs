using Microsoft.DurableTask;
using Serverless.BatchInference.Contracts;

namespace Serverless.BatchInference.Orchestrators;

/// <summary>The retry policies of the job's activities.</summary>
internal static class BatchRetry
{
    /// <summary>Listing, model check and merge: storage I/O that may fail for a moment (a job that cannot run is not retried).</summary>
    public static readonly TaskOptions Io = TaskOptions.FromRetryPolicy(
        new RetryPolicy(4, TimeSpan.FromSeconds(1), 2.0, TimeSpan.FromSeconds(20))
        {
            HandleFailure = failure => !failure.IsCausedBy<JobConfigurationException>() && !failure.IsCausedBy<JobDataMissingException>(),
        });

    /// <summary>
    /// A batch is retried on a failure, but not when it is poison: it took its worker down on
    /// every attempt, and retrying it whole is pointless (it is split instead); nor when the job cannot
    /// run (its pinned model was replaced).
    /// </summary>
    public static readonly TaskOptions Batch = TaskOptions.FromRetryPolicy(
        new RetryPolicy(3, TimeSpan.FromSeconds(2), 2.0, TimeSpan.FromSeconds(30))
        {
            HandleFailure = failure => !failure.IsCausedBy<PoisonBatchException>() && !failure.IsCausedBy<JobDataMissingException>() && !failure.IsCausedBy<JobConfigurationException>(),
        });
}
