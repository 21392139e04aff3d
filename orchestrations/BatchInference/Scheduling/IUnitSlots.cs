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

    /// <summary>Completes when another page's call hands this page slots, with how many it may start now (0: a call took them already).</summary>
    Task<int> HandedAsync();

    /// <summary>Completes when a page that has nothing running and got no slot should ask again.</summary>
    Task PollAsync();
}
