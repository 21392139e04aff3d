using Serverless.BatchInference.Scheduling;

namespace Serverless.Orchestrations.Tests.Scheduling;

/// <summary>When a page's finished unit hands its slot to the next unit without a scheduler call (<see cref="SlotQuantum"/>).</summary>
public sealed class SlotQuantumRuleTests
{
    private static readonly DateTime T0 = new(2026, 12, 6, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Quantum = SchedulingRules.SlotQuantum;

    [Fact]
    public void An_answer_that_no_other_job_waits_keeps_freed_slots_for_the_quantum_and_no_longer()
    {
        var quantum = new SlotQuantum();
        Assert.False(quantum.Keeps(T0)); // no answer yet: every finished unit calls

        quantum.Answered(T0, contended: false, granted: 4);
        Assert.True(quantum.Keeps(T0 + Quantum - TimeSpan.FromMilliseconds(1)));
        Assert.False(quantum.Keeps(T0 + Quantum));
    }

    [Fact]
    public void While_another_job_waits_every_freed_slot_goes_back()
    {
        var quantum = new SlotQuantum();
        quantum.Answered(T0, contended: true, granted: 0);
        quantum.Handed(T0 + TimeSpan.FromSeconds(1), 2);
        Assert.False(quantum.Keeps(T0 + TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void A_page_left_waiting_starts_its_quantum_with_its_first_handed_slot_once()
    {
        var quantum = new SlotQuantum();
        quantum.Answered(T0, contended: false, granted: 0);
        var handed = T0 + Quantum + TimeSpan.FromSeconds(1); // its job's other page held the slots past a quantum
        quantum.Handed(handed, 0); // an event a call of its own already took: nothing starts
        Assert.False(quantum.Keeps(handed));

        quantum.Handed(handed, 1);
        Assert.True(quantum.Keeps(handed + Quantum - TimeSpan.FromMilliseconds(1)));

        // Later handovers do not stretch it: the page calls, and hears of a job that started waiting, within a quantum.
        quantum.Handed(handed + Quantum, 1);
        Assert.False(quantum.Keeps(handed + Quantum));
    }

    [Fact]
    public void A_page_that_got_slots_does_not_restart_its_quantum_on_a_handover()
    {
        var quantum = new SlotQuantum();
        quantum.Answered(T0, contended: false, granted: 2);
        quantum.Handed(T0 + Quantum, 1);
        Assert.False(quantum.Keeps(T0 + Quantum));
    }

    [Fact]
    public void A_scheduler_that_could_not_answer_leaves_no_quantum()
    {
        var quantum = new SlotQuantum();
        quantum.Answered(T0, contended: false, granted: 0);
        quantum.Reset();
        quantum.Handed(T0, 1);
        Assert.False(quantum.Keeps(T0));
    }
}
