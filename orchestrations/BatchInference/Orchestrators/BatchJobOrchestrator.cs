using Microsoft.DurableTask;
using Serverless.BatchInference.Contracts;
using Serverless.BatchInference.Scheduling;

namespace Serverless.BatchInference.Orchestrators;

/// <summary>
/// The batch-inference job: checks the model, lists the source page by page through an activity
/// that writes each page's keys to a manifest (orchestrators do no I/O, and keys never enter the
/// engine), runs one ClassifyPage sub-orchestration per page with the next page listed while the
/// current ones run, reports progress as custom status, and ends with the merge (<see cref="JobFinish"/>).
/// Continues as new every <see cref="JobSpec.PagesPerExecution"/> pages carrying only
/// <see cref="JobState"/>, so no history and no state grows with the size of the job.
/// </summary>
public sealed class BatchJobOrchestrator : TaskOrchestrator<JobState, JobOutput?>
{
    /// <inheritdoc/>
    public override async Task<JobOutput?> RunAsync(TaskOrchestrationContext context, JobState state)
    {
        if (state.Spec.Scheduling is not { } terms)
            return await RunJobAsync(context, state);

        // With the scheduler: the job starts when its tenant's running-jobs quota lets it, and gives its place back at the end.
        if (state.StartedUtc is null)
            await JobGate.AdmitAsync(context, state.Spec, terms, (reason, priority) =>
                context.SetCustomStatus(Progress("waiting", state, context.CurrentUtcDateTime, context.CurrentUtcDateTime) with { Waiting = reason, Priority = priority }));
        JobOutput? output;
        try
        {
            output = await RunJobAsync(context, state);
        }
        catch (Exception)
        {
            await JobGate.ReleaseAsync(context, state.Spec);
            throw;
        }
        if (output is not null)
            await JobGate.ReleaseAsync(context, state.Spec);
        return output;
    }

    private static async Task<JobOutput?> RunJobAsync(TaskOrchestrationContext context, JobState state)
    {
        var job = state.Spec;
        var started = state.StartedUtc ?? context.CurrentUtcDateTime;
        if (state.StartedUtc is null)
        {
            context.SetCustomStatus(Progress("starting", state, started, context.CurrentUtcDateTime));
            var model = await context.CallActivityAsync<CheckModelOutput>(ActivityNames.CheckModel, new CheckModelInput(job.Model, job.Preset, job.BatchSize, job.Outputs), BatchRetry.Io);
            // Pinned: the spec every activity receives (and continue-as-new carries) names the model's bytes.
            job = job with { ModelSha256 = model.ModelSha256 };
            state = state with { Spec = job };
        }

        var run = new JobRun(state with { StartedUtc = started });
        if (state.StartedUtc is null)
            run.AddSample(0);
        var inFlight = new Dictionary<Task<PageResult>, int>();
        Task<ListPageOutput>? listing = run.State.ListingDone ? null : ListAsync(context, job, run.State.NextPageIndex);
        var pagesThisExecution = 0;

        while (listing is not null || inFlight.Count > 0)
        {
            // Pages run at once: as many as the job's units in flight need (JobSpec.PagesInFlight), so a
            // job keeps every worker KEDA adds busy, not only the few a page's units can fill.
            if (listing is not null && inFlight.Count < job.PagesInFlight)
            {
                var page = await listing;
                listing = null;
                // The tenant's hard limit: the page that would pass it is not run; what ran is merged.
                if (job.Scheduling?.Rules.MaxImagesPerJob is { } maxImages && run.State.Listed + page.Count > maxImages)
                    await StopAsync(context, run, inFlight, $"the job lists more than {maxImages} images, the most tenant {job.Scheduling.Tenant} allows in one job (maxImagesPerJob); split the source or ask an admin to raise the quota",
                        started, notStarted: page.Count);
                var pageIndex = run.AddListedPage(page);
                job = run.State.Spec;
                pagesThisExecution++;
                // Progress shows the listing as it goes (and the phase once a page runs), not only after a page ends.
                context.SetCustomStatus(Progress(page.Count > 0 ? "classifying" : "listing", run.State, started, context.CurrentUtcDateTime));
                if (page.Count > 0)
                    inFlight.Add(context.CallSubOrchestratorAsync<PageResult>(ActivityNames.ClassifyPage,
                        new PageInput(job, pageIndex, page.Count), new SubOrchestrationOptions { InstanceId = PageIds.For(job.JobId, pageIndex) }), pageIndex);
                if (!run.State.ListingDone && pagesThisExecution < job.PagesPerExecution)
                    listing = ListAsync(context, job, run.State.NextPageIndex);
                continue;
            }

            var done = await Task.WhenAny(inFlight.Keys);
            inFlight.Remove(done);
            run.AddPageResult(await done);
            run.AddSample((context.CurrentUtcDateTime - started).TotalSeconds);
            context.SetCustomStatus(Progress("classifying", run.State, started, context.CurrentUtcDateTime));
            if (ErrorThreshold.ExceededBy(job, run.State.Counts) is { } reason)
                await StopAsync(context, run, inFlight, reason, started);
        }

        if (!run.State.ListingDone)
        {
            context.ContinueAsNew(run.State with { Execution = run.State.Execution + 1 });
            return null;
        }
        // A page whose rows were all copied from skipExisting is listed with no image to classify: the job still merges them.
        if (run.State.Listed == 0 && run.State.Skipped == 0)
            throw new JobFailedException($"the source {job.Source} holds no images: nothing to classify (check the prefix, and that its files have image extensions)");
        await JobFinish.HealAsync(context, run, started);
        context.SetCustomStatus(Progress("writing results", run.State, started, context.CurrentUtcDateTime));
        var output = await JobFinish.MergeAsync(context, run.State, started) with { Executions = run.State.Execution };
        context.SetCustomStatus(Progress("completed", run.State, started, context.CurrentUtcDateTime) with { Failed = output.Failed });
        return output;
    }

    /// <summary>
    /// The job is past its error threshold: its running pages start no more units, what they ran is
    /// merged, and the job fails saying how many images were left unclassified.
    /// </summary>
    private static async Task StopAsync(TaskOrchestrationContext context, JobRun run, Dictionary<Task<PageResult>, int> inFlight, string reason, DateTime started, long notStarted = 0)
    {
        var job = run.State.Spec;
        foreach (var page in inFlight.Values)
            context.SendEvent(PageIds.For(job.JobId, page), ActivityNames.StopEvent, true);
        var unclassified = notStarted;
        foreach (var result in await Task.WhenAll(inFlight.Keys))
        {
            run.AddPageResult(result);
            unclassified += result.Unclassified;
        }
        inFlight.Clear();
        var listing = run.State.ListingDone ? "" : $" (the listing stopped after {run.State.Listed + notStarted} images)";
        if (run.State.NextPageIndex == 0)
            throw new JobFailedException($"{reason}; {unclassified} listed images were left unclassified{listing}; nothing was classified, so nothing was written");
        context.SetCustomStatus(Progress("writing results", run.State, started, context.CurrentUtcDateTime));
        await JobFinish.MergeAsync(context, run.State, started);
        throw new JobFailedException($"{reason}; {unclassified} listed images were left unclassified{listing}; the predictions so far are in {job.Output}");
    }

    private static Task<ListPageOutput> ListAsync(TaskOrchestrationContext context, JobSpec job, int pageIndex) =>
        context.CallActivityAsync<ListPageOutput>(ActivityNames.ListSourcePage, new ListPageInput(job, pageIndex), BatchRetry.Io);

    internal static JobProgress Progress(string phase, JobState state, DateTime started, DateTime now)
    {
        var seconds = Math.Max((now - started).TotalSeconds, 1e-3);
        var done = state.Counts.Images;
        var rate = done / seconds;
        long? total = state.ListingDone ? state.Listed : null;
        double? eta = total is { } t && rate > 0 ? (t - done) / rate : null;
        return new JobProgress(phase, done, state.Counts.Failed, total, state.Listed, Math.Round(rate, 2), eta is null ? null : Math.Round(eta.Value, 1),
            state.Counts.FailuresByReason.Where(p => p.Value != 0).OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value),
            JobProgress.Top(state.Counts.ClassHistogram), state.Samples, DateTime.SpecifyKind(started, DateTimeKind.Utc))
        {
            ModelSha256 = state.Spec.ModelSha256,
            Skipped = state.Skipped,
            ParentJob = state.Spec.ParentJob,
            Priority = state.Spec.Scheduling is null ? null : state.Spec.Priority,
        };
    }
}
