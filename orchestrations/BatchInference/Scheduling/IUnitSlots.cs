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

    /// <summary>Completes when it is worth asking again, having got nothing: told by another page, or the next poll.</summary>
    Task WakeAsync();

    /// <summary>Completes when another page tells this one that slots were set aside for it.</summary>
    Task ToldAsync();
}
