namespace Serverless.BatchInference.Scheduling;

/// <summary>
/// A page's <see cref="SchedulingRules.SlotQuantum"/>: for that long after the scheduler answered that no other
/// job waits for slots, a unit that finishes hands its slot to the page's next unit without a call. A page the
/// answer left waiting (no slot free: its job's other page holds them) starts the quantum when the first slot is
/// handed to it instead: its wait would otherwise use the quantum up, and the units it starts on handed slots
/// would each give their slot back in a call as they end, the slot idle for the round trip. Once per answer, so
/// a page handed slots again and again still calls, and hears of a job that started waiting, within a quantum.
/// </summary>
internal sealed class SlotQuantum
{
    private DateTime? since;
    private bool startsOnHandover;

    /// <summary>The scheduler answered at <paramref name="now"/>: <paramref name="contended"/>, another job's page waits; <paramref name="granted"/> slots given.</summary>
    public void Answered(DateTime now, bool contended, int granted)
    {
        since = contended ? null : now;
        startsOnHandover = !contended && granted == 0;
    }

    /// <summary>Another page's call handed <paramref name="slots"/> slots to this one at <paramref name="now"/>.</summary>
    public void Handed(DateTime now, int slots)
    {
        if (slots <= 0 || !startsOnHandover)
            return;
        since = now;
        startsOnHandover = false;
    }

    /// <summary>No quantum until the next answer (a scheduler that could not answer).</summary>
    public void Reset() => (since, startsOnHandover) = (null, false);

    /// <summary>Whether a unit that finished at <paramref name="now"/> hands its slot to the next unit without a call.</summary>
    public bool Keeps(DateTime now) => since is { } at && now - at < SchedulingRules.SlotQuantum;
}
