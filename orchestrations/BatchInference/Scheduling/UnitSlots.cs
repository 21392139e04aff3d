using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;
using Microsoft.Extensions.Logging;
using Serverless.BatchInference.Contracts;

namespace Serverless.BatchInference.Scheduling;

/// <summary>
/// A page orchestrator's side of the scheduler: asks <see cref="JobScheduler"/> for unit slots,
/// tells the pages its call gave slots to, and waits (a timer, or the event another page sends)
/// when it got none. A finished unit's call gives its slot back and asks for the next, unless the
/// scheduler answered less than <see cref="SchedulingRules.SlotQuantum"/> ago that no other job waits:
/// then the page keeps it.
/// </summary>
internal sealed class UnitSlots(TaskOrchestrationContext context, JobSpec job, SchedulingTerms terms)
{
    /// <summary>The event a page sends to a page its call gave slots to.</summary>
    public const string SlotsEvent = "slots";

    // Each call and wake at Debug (a diagnosis of slot hand-offs); replay-safe, so each is logged once.
    private readonly ILogger log = context.CreateReplaySafeLogger(nameof(UnitSlots));
    private Task<bool>? told;
    private TimeSpan? poll;
    private DateTime? answered;

    /// <summary>Why the page waits after its last call (null when it got what it asked).</summary>
    public string? Waiting { get; private set; }

    /// <summary>The priority the scheduler applied at the last call.</summary>
    public string Priority { get; private set; } = job.Priority;

    /// <summary>Says it runs <paramref name="running"/> units and could start <paramref name="want"/> more; returns how many it may start.</summary>
    public async Task<int> AcquireAsync(int running, int want)
    {
        SlotGrant grant;
        try
        {
            grant = await context.Entities.CallEntityAsync<SlotGrant>(SchedulerIds.Entity, nameof(JobScheduler.Acquire),
                new SlotRequest(job.JobId, context.InstanceId, job.Priority, terms, running, want));
        }
        catch (EntityOperationFailedException)
        {
            // A scheduler that cannot answer must not stop the job: the page runs as an unscheduled one would.
            Waiting = null;
            answered = null;
            return want;
        }
        // While another job waits, every freed slot goes back to the scheduler.
        answered = grant.Contended ? null : context.CurrentUtcDateTime;
        foreach (var page in grant.Notify)
            context.SendEvent(page, SlotsEvent, true);
        Priority = grant.Priority;
        Waiting = grant.Granted < want ? grant.Waiting : null;
        if (log.IsEnabled(LogLevel.Debug))
            log.LogDebug("Page {Page} runs {Running}, wants {Want}: granted {Granted}, told {Told}",
                context.InstanceId, running, want, grant.Granted, string.Join(',', grant.Notify));
        if (grant.Granted > 0)
            poll = null;
        return grant.Granted;
    }

    /// <summary>Whether a unit that just finished may hand its slot to the page's next unit without asking (<see cref="SchedulingRules.SlotQuantum"/>).</summary>
    public bool KeepsFreedSlot() => answered is { } at && context.CurrentUtcDateTime - at < SchedulingRules.SlotQuantum;

    /// <summary>Completes when it is worth asking again: told by another page, or the next poll (1 s doubling to 4 s).</summary>
    public async Task WakeAsync()
    {
        poll = SchedulingRules.NextPoll(poll, SchedulingRules.LastPoll);
        told ??= context.WaitForExternalEvent<bool>(SlotsEvent);
        var woke = await Task.WhenAny(context.CreateTimer(poll.Value, CancellationToken.None), told);
        log.LogDebug("Page {Page} woke: {Why}", context.InstanceId, woke == told ? "told" : "poll");
        // A completed wait for the event is used up; the next wake waits for a new one.
        if (told.IsCompleted)
            told = null;
    }
}
