using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Serverless.BatchInference.Contracts;

namespace Serverless.BatchInference.Orchestrators;

/// <summary>
/// The end of a job: a bounded second pass over the images whose reads failed, then the merge,
/// fanned out as MergeShard activities of <see cref="JobSpec.PagesPerShard"/> pages each and joined
/// by WriteResults, so no activity's work grows with the job; then the working area is deleted.
/// </summary>
internal static class JobFinish
{
    /// <summary>
    /// Reads that failed after the storage retries are tried once more, page group by page group,
    /// now that the rest of the job is done; the counts are corrected by what the pass healed.
    /// </summary>
    public static async Task HealAsync(TaskOrchestrationContext context, JobRun run, DateTime started)
    {
        var job = run.State.Spec;
        if (run.State.Counts.FailuresByReason.GetValueOrDefault(PredictionCodes.ReadFailed) == 0)
            return;
        context.SetCustomStatus(BatchJobOrchestrator.Progress("retrying failed reads", run.State, started, context.CurrentUtcDateTime));
        var pages = run.State.NextPageIndex;
        var (healed, _) = await FanOut.RunBoundedAsync(pages, job.MaxBatchesInFlight,
            p => context.CallActivityAsync<JobCounts>(ActivityNames.HealReadFailures, new HealPageInput(job, p), BatchRetry.Io));
        foreach (var delta in healed)
            run.AddCorrection(delta);
    }

    /// <summary>Merges the pages listed so far into the job's outputs and returns its output.</summary>
    public static async Task<JobOutput> MergeAsync(TaskOrchestrationContext context, JobState state, DateTime started)
    {
        var job = state.Spec;
        var pages = state.NextPageIndex;
        var shards = FanOut.Ranges(pages, job.PagesPerShard);
        var mergeStarted = context.CurrentUtcDateTime;
        await FanOut.RunBoundedAsync(shards.Length, job.MaxBatchesInFlight,
            s => context.CallActivityAsync<bool>(ActivityNames.MergeShard, new MergeShardInput(job, s, shards[s].First, shards[s].Count), BatchRetry.Io));
        var output = await context.CallActivityAsync<JobOutput>(ActivityNames.WriteResults,
            new WriteResultsInput(job, shards.Length, pages, state.Counts.ActivitySeconds, started, context.CurrentUtcDateTime, state.Samples, mergeStarted), BatchRetry.Io);
        await CleanAsync(context, job);
        return output;
    }

    /// <summary>
    /// Deletes the merged job's working area (its parts repeat every row), unless the job keeps it;
    /// only after WriteResults succeeded, since a retried merge reads it. A failed delete leaves it
    /// (the job's results are whole); the log says so.
    /// </summary>
    private static async Task CleanAsync(TaskOrchestrationContext context, JobSpec job)
    {
        if (job.KeepWorkArea)
            return;
        try
        {
            await context.CallActivityAsync<long>(ActivityNames.CleanWorkArea, job, BatchRetry.Io);
        }
        catch (TaskFailedException e)
        {
            context.CreateReplaySafeLogger(nameof(JobFinish)).LogWarning("Job {JobId}: its working area {WorkArea} in {Output} was not deleted: {Reason}",
                job.JobId, JobWorkArea.Root(job.JobId), job.Output, e.FailureDetails.ErrorMessage);
        }
    }
}
