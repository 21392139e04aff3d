using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;
using Serverless.BatchInference.Contracts;

namespace Serverless.BatchInference.Scheduling;

/// <summary>
/// The job orchestrator's side of the scheduler: before it lists, a job asks to start (its tenant's
/// running-jobs quota); when it ends, it gives its place and its pages' slots back and tells the
/// pages and jobs that got them.
/// </summary>
internal static class JobGate
{
    /// <summary>The event a finished job sends to jobs waiting to start: ask again now.</summary>
    public const string AdmittedEvent = "admitted";

    /// <summary>Waits until the scheduler lets the job start; <paramref name="waiting"/> sees why it waits and its applied priority, at each refusal.</summary>
    public static async Task AdmitAsync(TaskOrchestrationContext context, JobSpec job, SchedulingTerms terms, Action<string?, string> waiting)
    {
        TimeSpan? poll = null;
        Task<bool>? told = null;
        while (true)
        {
            JobAdmission admission;
            try
            {
                admission = await context.Entities.CallEntityAsync<JobAdmission>(SchedulerIds.Entity, nameof(JobScheduler.AdmitJob),
                    new JobAdmissionRequest(job.JobId, job.Priority, terms));
            }
            catch (EntityOperationFailedException)
            {
                return; // a scheduler that cannot answer does not hold the job back
            }
            if (admission.Admitted)
                return;
            waiting(admission.Waiting, admission.Priority);
            poll = SchedulingRules.NextPoll(poll, SchedulingRules.LastJobPoll);
            told ??= context.WaitForExternalEvent<bool>(AdmittedEvent);
            using var timerCancel = new CancellationTokenSource();
            var timer = context.CreateTimer(poll.Value, timerCancel.Token);
            await Task.WhenAny(timer, told);
            // Told first: the timer goes, since the framework completes no orchestration while a timer of its is pending.
            // Cancel, not CancelAsync: the framework's callback must run on the orchestrator's own thread.
            if (!timer.IsCompleted)
                timerCancel.Cancel();
            if (told.IsCompleted)
                told = null;
        }
    }

    /// <summary>The job ended: its place and slots go back, and whoever got them is told.</summary>
    public static async Task ReleaseAsync(TaskOrchestrationContext context, JobSpec job)
    {
        try
        {
            var release = await context.Entities.CallEntityAsync<JobRelease>(SchedulerIds.Entity, nameof(JobScheduler.ReleaseJob), job.JobId);
            UnitSlots.Hand(context, release.Pages);
            foreach (var waitingJob in release.Jobs)
                context.SendEvent(waitingJob, AdmittedEvent, true);
        }
        catch (EntityOperationFailedException)
        {
            // Its holders expire (SchedulingRules.HolderLease); the job's own outcome stands.
        }
    }
}
