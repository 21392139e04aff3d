using Microsoft.DurableTask;
using Serverless.BatchInference.Contracts;
using Serverless.BatchInference.Scheduling;

namespace Serverless.BatchInference.Orchestrators;

/// <summary>
/// Classifies one listed page: cuts its item range into work units of <see cref="JobSpec.ImagesPerTask"/>
/// images and fans out ClassifyBatch activities, at most <see cref="JobSpec.MaxBatchesInFlight"/> at a
/// time, then records the parts it wrote (RecordPage) for the merge. Only item ranges travel: the
/// activities read the keys from the page's manifest. A unit that keeps killing its worker (poison)
/// is split into inference batches, and a batch again into single images, so one image that crashes
/// the decoder is recorded as failed and the rest is still classified. When the job stops (its
/// <see cref="ActivityNames.StopEvent"/>), no more units start. A job run with the scheduler
/// (<see cref="JobSpec.Scheduling"/>) queues a unit only on a slot <see cref="JobScheduler"/> granted.
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
        var units = FanOut.Ranges(input.Count, job.ImagesPerTask);
        var stop = context.WaitForExternalEvent<bool>(ActivityNames.StopEvent);

        // With the scheduler, a unit is queued only on a slot it granted (priorities, fair share, quotas).
        var slots = job.Scheduling is { } terms ? new UnitSlots(context, job, terms) : null;

        // Progress inside the page, read by the jobs API while the page runs.
        var progress = JobCounts.Empty;
        void Report() => context.SetCustomStatus(new PageProgress(progress.Images, progress.Failed) { Waiting = slots?.Waiting, Priority = slots?.Priority });
        var (results, started) = await FanOut.RunBoundedAsync(units.Length, job.MaxBatchesInFlight,
            u => ClassifyOrSplitAsync(context, input, PartNames.For(input.PageIndex, u), units[u].First, units[u].Count, level: 0),
            result =>
            {
                progress = progress.Add(result.Counts);
                Report();
            }, stop, slots, Report);

        var counts = JobCounts.Empty;
        var parts = new List<string>();
        for (var u = 0; u < started; u++)
        {
            counts = counts.Add(results[u].Counts);
            parts.AddRange(results[u].Parts);
        }
        var unclassified = units.Skip(started).Sum(u => u.Count);
        var record = new PageRecord(input.Count - unclassified, parts, counts.FailuresByReason.GetValueOrDefault(PredictionCodes.ReadFailed));
        await context.CallActivityAsync(ActivityNames.RecordPage, new RecordPageInput(job, input.PageIndex, record), BatchRetry.Io);
        return new PageResult(input.PageIndex, counts, unclassified);
    }

    private static async Task<(JobCounts Counts, string[] Parts)> ClassifyOrSplitAsync(
        TaskOrchestrationContext context, PageInput input, string part, int first, int count, int level)
    {
        var job = input.Job;
        try
        {
            var counts = await context.CallActivityAsync<JobCounts>(ActivityNames.ClassifyBatch,
                new ClassifyBatchInput(job, part, input.PageIndex, first, count), BatchRetry.Batch);
            return (counts, [PartNames.Written(part, job.Format)]);
        }
        catch (TaskFailedException failed) when (failed.FailureDetails.IsCausedBy<PoisonBatchException>())
        {
            if (count == 1)
            {
                var crashed = await context.CallActivityAsync<JobCounts>(ActivityNames.RecordFailures,
                    new RecordFailuresInput(job, part, input.PageIndex, first, 1, WorkerCrashedCode, WorkerCrashedMessage), BatchRetry.Io);
                return (crashed, [part]);
            }
            // A unit splits into its inference batches, a batch (or a unit no larger than one) into images.
            var size = level == 0 && job.BatchSize < count ? job.BatchSize : 1;
            var pieces = FanOut.Ranges(count, size);
            var done = await Task.WhenAll(pieces.Select((p, i) =>
                ClassifyOrSplitAsync(context, input, PartNames.ForSplit(part, i), first + p.First, p.Count, level + 1)));
            return (done.Aggregate(JobCounts.Empty, (sum, d) => sum.Add(d.Counts)), done.SelectMany(d => d.Parts).ToArray());
        }
    }
}
