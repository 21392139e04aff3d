using Microsoft.DurableTask;
using Serverless.BatchInference.Contracts;

namespace Serverless.BatchInference.Orchestrators;

/// <summary>
/// Classifies one listed page: cuts it into batches and fans out ClassifyBatch activities, at
/// most <see cref="JobSpec.MaxBatchesInFlight"/> at a time, and fans in their counts. One
/// sub-orchestration per page keeps every history small whatever the size of the job.
/// A batch that keeps killing its worker (poison) is split into single images, so one image
/// that crashes the decoder is recorded as failed and the rest of its batch is still classified.
/// </summary>
public sealed class ClassifyPageOrchestrator : TaskOrchestrator<PageInput, PageResult>
{
    /// <summary>The reason code and message recorded for an image that took its worker down on every attempt.</summary>
    public const string WorkerCrashedCode = "worker_crashed";

    /// <inheritdoc cref="WorkerCrashedCode"/>
    public const string WorkerCrashedMessage = "the worker process died while classifying this image, every time it was tried";

    /// <inheritdoc/>
    public override async Task<PageResult> RunAsync(TaskOrchestrationContext context, PageInput input)
    {
        var job = input.Job;
        var batches = input.Keys.Chunk(job.BatchSize).ToArray();
        var counts = JobCounts.Empty;
        Dictionary<int, int>? splits = null;

        // Progress inside the page, read by the jobs API while the page runs.
        var progress = JobCounts.Empty;
        var results = await FanOut.RunBoundedAsync(batches.Length, job.MaxBatchesInFlight,
            b => ClassifyBatchOrSplitAsync(context, input, b, batches[b]),
            result =>
            {
                progress = progress.Add(result.Counts);
                context.SetCustomStatus(new PageProgress(progress.Images, progress.Failed));
            });
        for (var b = 0; b < results.Length; b++)
        {
            counts = counts.Add(results[b].Counts);
            if (results[b].SplitSize is { } size)
                (splits ??= new())[b] = size;
        }
        return new PageResult(input.PageIndex, new PageParts(batches.Length, splits), counts);
    }

    private static async Task<(JobCounts Counts, int? SplitSize)> ClassifyBatchOrSplitAsync(
        TaskOrchestrationContext context, PageInput input, int batch, string[] keys)
    {
        var job = input.Job;
        try
        {
            var part = PartNames.For(input.PageIndex, batch);
            var counts = await context.CallActivityAsync<JobCounts>(ActivityNames.ClassifyBatch, new ClassifyBatchInput(job, part, keys), BatchRetry.Batch);
            return (counts, null);
        }
        catch (TaskFailedException failed) when (failed.FailureDetails.IsCausedBy<PoisonBatchException>())
        {
            var singles = await Task.WhenAll(keys.Select((key, item) => ClassifySingleAsync(context, input, batch, item, key)));
            return (singles.Aggregate(JobCounts.Empty, (sum, c) => sum.Add(c)), keys.Length);
        }
    }

    private static async Task<JobCounts> ClassifySingleAsync(TaskOrchestrationContext context, PageInput input, int batch, int item, string key)
    {
        var job = input.Job;
        var part = PartNames.ForSplit(input.PageIndex, batch, item);
        try
        {
            return await context.CallActivityAsync<JobCounts>(ActivityNames.ClassifyBatch, new ClassifyBatchInput(job, part, [key]), BatchRetry.Batch);
        }
        catch (TaskFailedException failed) when (failed.FailureDetails.IsCausedBy<PoisonBatchException>())
        {
            return await context.CallActivityAsync<JobCounts>(ActivityNames.RecordFailures,
                new RecordFailuresInput(job, part, [key], WorkerCrashedCode, WorkerCrashedMessage), BatchRetry.Io);
        }
    }
}
