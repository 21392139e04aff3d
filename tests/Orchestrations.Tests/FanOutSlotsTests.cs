using Serverless.BatchInference.Orchestrators;
using Serverless.BatchInference.Scheduling;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// A page's bounded fan-out against a fake scheduler, outside any orchestration: the tasks are its
/// units, completed by the test, so what starts when is certain.
/// </summary>
public sealed class FanOutSlotsTests
{
    [Fact]
    public async Task A_page_granted_part_of_what_it_wants_starts_a_unit_when_told_of_a_freed_slot_while_its_own_units_still_run()
    {
        var slots = new FakeSlots();
        slots.Grants.Enqueue(1); // the first call: one slot of the three it could use
        slots.Grants.Enqueue(2); // the call after being told: the two set aside for it
        var units = Enumerable.Range(0, 3).Select(_ => new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var started = new List<int>();

        var run = FanOut.RunBoundedAsync(3, 3, i =>
        {
            lock (started)
                started.Add(i);
            return units[i].Task;
        }, slots: slots);
        await WaitUntil(() => started.Count == 1);

        // Another page's call set slots aside for this one and told it; its own unit still runs.
        slots.Tell();
        await WaitUntil(() => started.Count == 3);
        Assert.False(units[0].Task.IsCompleted);
        Assert.Equal([(0, 3), (1, 2)], slots.Calls.Take(2));

        foreach (var unit in units)
            unit.SetResult(1);
        var (results, count) = await run;
        Assert.Equal(3, count);
        Assert.Equal([1, 1, 1], results);
        Assert.Equal((0, 0), slots.Calls[^1]); // every slot back at the end
    }

    [Fact]
    public async Task A_page_granted_nothing_while_nothing_runs_polls_as_well_as_listens()
    {
        var slots = new FakeSlots();
        slots.Grants.Enqueue(0);
        slots.Grants.Enqueue(1);
        var unit = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        var run = FanOut.RunBoundedAsync(1, 1, _ => unit.Task, slots: slots);
        await WaitUntil(() => slots.Calls.Count == 1);
        Assert.Equal(1, slots.Polls);
        Assert.Equal(0, slots.Listens);

        slots.Wake();
        await WaitUntil(() => slots.Calls.Count == 2);
        unit.SetResult(7);
        var (results, _) = await run;
        Assert.Equal([7], results);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var waited = 0; !condition(); waited += 10)
        {
            Assert.True(waited < 10_000, "the fan-out did not get there within 10 s");
            await Task.Delay(10);
        }
    }

    private sealed class FakeSlots : IUnitSlots
    {
        private TaskCompletionSource told = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Queue<int> Grants { get; } = new();

        public List<(int Running, int Want)> Calls { get; } = [];

        public int Polls { get; private set; }

        public int Listens { get; private set; }

        public string? Waiting => null;

        public Task<int> AcquireAsync(int running, int want)
        {
            lock (Calls)
                Calls.Add((running, want));
            return Task.FromResult(Grants.TryDequeue(out var n) ? Math.Min(n, want) : want);
        }

        public bool KeepsFreedSlot() => false;

        public Task WakeAsync()
        {
            Polls++;
            return told.Task;
        }

        public Task ToldAsync()
        {
            Listens++;
            return told.Task;
        }

        public void Tell() => Wake();

        public void Wake()
        {
            var was = told;
            told = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            was.SetResult();
        }
    }
}
