namespace Serverless.BatchInference.Scheduling;

/// <summary>The scheduler's fixed rules of time (README "Priorities and quotas" documents them).</summary>
public static class SchedulingRules
{
    /// <summary>
    /// Aging: a job that wants slots (or to start) and gets none rises one priority level for every
    /// step it waits, so low work waits at most two steps behind a stream of high work.
    /// </summary>
    public static TimeSpan AgingStep { get; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A holder that has not called for this long is gone (its job was terminated or purged without
    /// telling the scheduler); its slots go back. Longer than any unit runs (functionTimeout) plus
    /// a redelivery after a worker died: a page calls again whenever one of its units finishes.
    /// </summary>
    public static TimeSpan HolderLease { get; } = TimeSpan.FromMinutes(20);

    /// <summary>A job waiting to start that stopped asking for this long is gone.</summary>
    public static TimeSpan WaitingJobLease { get; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// For this long after the scheduler answered a page that no other job waits for slots, a unit of
    /// the page that finishes hands its slot to the page's next unit without a call. A call per unit made
    /// most of a job's task-hub traffic when units are short (a scheduler round trip is two messages and
    /// two orchestration episodes); a job that starts waiting is seen by such a page at most this much
    /// later, and from then on it gives back every slot its units free.
    /// </summary>
    public static TimeSpan SlotQuantum { get; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often a page with nothing running and no slot asks again. Slots freed by a call come to it handed
    /// (an event), so it asks on its own only for slots freed without one (a holder forgotten, an admin's
    /// change). Not shorter: a first poll of 1 s was a wasted scheduler round trip at nearly every page's
    /// start, before its job's other page handed it slots, because the task hub's queue makes a timer's
    /// message visible in whole seconds, the fraction dropped (1, 2 and 4 s timers fired after about 0.1,
    /// 1.2 and 3.3 s).
    /// </summary>
    public static TimeSpan PagePoll { get; } = TimeSpan.FromSeconds(4);

    /// <summary>How often a job waiting to start asks again: from the first to <see cref="LastJobPoll"/>, doubling.</summary>
    public static TimeSpan FirstPoll { get; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a job waiting to start asks again, at most.</summary>
    public static TimeSpan LastJobPoll { get; } = TimeSpan.FromSeconds(15);

    /// <summary>The next wait after <paramref name="previous"/> (null for the first).</summary>
    public static TimeSpan NextPoll(TimeSpan? previous, TimeSpan last) =>
        previous is null ? FirstPoll : TimeSpan.FromTicks(Math.Min(previous.Value.Ticks * 2, last.Ticks));
}
