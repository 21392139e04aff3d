namespace Serverless.BatchInference.Scheduling;

/// <summary>What a page's bounded fan-out (<c>FanOut</c>) asks of the scheduler: <see cref="UnitSlots"/> in a page orchestration, a fake in tests.</summary>
internal interface IUnitSlots
{
    /// <summary>Why the page waits after its last call (null when it got what it asked).</summary>
    string? Waiting { get; }

    /// <summary>Says it runs <paramref name="running"/> units and could start <paramref name="want"/> more; returns how many it may start.</summary>
    Task<int> AcquireAsync(int running, int want);

    /// <summary>Whether a unit that just finished may hand its slot to the page's next unit without asking.</summary>
    bool KeepsFreedSlot();

    /// <summary>Completes when another page's call hands this page slots, with the handover's count (<see cref="SlotHandover.Handed"/>).</summary>
    Task<long> HandedAsync();

    /// <summary>
    /// How many of the slots a handover counted the page may start now: none that a call of its own took already.
    /// Asked when the fan-out comes to the handover, not when the event came: a call answered in between may have taken them.
    /// </summary>
    int Take(long handed);

    /// <summary>
    /// Completes when a page that has nothing running and got no slot should ask again; cancelled through
    /// <paramref name="cancel"/> when the page ends first (an orchestration does not complete while a timer is pending).
    /// </summary>
    Task PollAsync(CancellationToken cancel);
}
