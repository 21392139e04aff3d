using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;
using Microsoft.Extensions.Logging;
using Serverless.BatchInference.Contracts;

namespace Serverless.BatchInference.Scheduling;

/// <summary>
/// A page orchestrator's side of the scheduler: asks <see cref="JobScheduler"/> for unit slots,
/// hands the slots its call gave other pages over to them (<see cref="HandedEvent"/>), and takes the
/// slots handed to it without a call of its own: another page's call frees them while this page's units
/// run or while it waits (a poll timer beside, for slots freed without a call: an expired holder, an
/// admin's change). A finished unit's call gives its slot back and asks for the next, unless the
/// page is within its quantum (<see cref="SlotQuantum"/>): then the page keeps it.
/// </summary>
internal sealed class UnitSlots(TaskOrchestrationContext context, JobSpec job, SchedulingTerms terms) : IUnitSlots
{
    /// <summary>The event a page sends to a page its call handed slots to (payload: <see cref="SlotHandover.Handed"/>).</summary>
    public const string HandedEvent = "slots-handed";

    // Each call and wake at Debug (a diagnosis of slot hand-offs); replay-safe, so each is logged once.
    private readonly ILogger log = context.CreateReplaySafeLogger(nameof(UnitSlots));
    private readonly SlotQuantum quantum = new();
    private long received;

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
                new SlotRequest(job.JobId, context.InstanceId, job.Priority, terms, running, want, received));
        }
        catch (EntityOperationFailedException)
        {
            // A scheduler that cannot answer must not stop the job: the page runs as an unscheduled one would.
            Waiting = null;
            quantum.Reset();
            return want;
        }
        // While another job waits, every freed slot goes back to the scheduler.
        quantum.Answered(context.CurrentUtcDateTime, grant.Contended, grant.Granted);
        received = Math.Max(received, grant.Handed);
        Hand(context, grant.Notify);
        Priority = grant.Priority;
        Waiting = grant.Granted < want ? grant.Waiting : null;
        if (log.IsEnabled(LogLevel.Debug))
            log.LogDebug("Page {Page} runs {Running}, wants {Want}: granted {Granted}, handed {Handed}",
                context.InstanceId, running, want, grant.Granted, string.Join(',', grant.Notify.Select(n => n.Page)));
        return grant.Granted;
    }

    /// <summary>Hands the slots a scheduler call gave to other pages over to them.</summary>
    public static void Hand(TaskOrchestrationContext context, IEnumerable<SlotHandover> handovers)
    {
        foreach (var handover in handovers)
            context.SendEvent(handover.Page, HandedEvent, handover.Handed);
    }

    /// <summary>Whether a unit that just finished may hand its slot to the page's next unit without asking (<see cref="SchedulingRules.SlotQuantum"/>).</summary>
    public bool KeepsFreedSlot() => quantum.Keeps(context.CurrentUtcDateTime);

    /// <summary>Completes when another page's call hands this page slots, with the handover's count (<see cref="SlotHandover.Handed"/>).</summary>
    public Task<long> HandedAsync() => context.WaitForExternalEvent<long>(HandedEvent);

    /// <summary>
    /// How many of the slots counted by <paramref name="handed"/> the page may start now: none that a call of its own
    /// took already (an event that came late, or twice).
    /// </summary>
    public int Take(long handed)
    {
        var take = (int)Math.Max(handed - received, 0);
        received = Math.Max(received, handed);
        quantum.Handed(context.CurrentUtcDateTime, take);
        log.LogDebug("Page {Page} was handed {Slots} slots", context.InstanceId, take);
        return take;
    }

    /// <summary>Completes when a page that has nothing running and got no slot should ask again (<see cref="SchedulingRules.PagePoll"/>).</summary>
    public Task PollAsync(CancellationToken cancel) => context.CreateTimer(SchedulingRules.PagePoll, cancel);
}
