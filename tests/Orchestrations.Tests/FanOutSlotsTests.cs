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
    public async Task A_page_starts_units_on_slots_handed_to_it_while_its_own_units_run_without_a_call()
    {
        var slots = new FakeSlots();
        slots.Grants.Enqueue(1); // the first call: one slot of the three it could use
        var units = Units(3);
        var started = new List<int>();

        var run = FanOut.RunBoundedAsync(3, 3, i => Start(started, units, i), slots: slots);
        await WaitUntil(() => Count(started) == 1 && slots.Listening);

        // Another page's call hands it two slots; its own unit still runs.
        slots.Hand(2);
        await WaitUntil(() => Count(started) == 3);
        Assert.False(units[0].Task.IsCompleted);
        Assert.Equal([(0, 3)], slots.Calls);
        Assert.Equal(0, slots.Polls); // something runs: it asks when a unit ends, no timer

        foreach (var unit in units)
            unit.SetResult(1);
        var (results, count) = await run;
        Assert.Equal(3, count);
        Assert.Equal([1, 1, 1], results);
        Assert.Equal((0, 0), slots.Calls[^1]); // every slot back at the end
    }

    [Fact]
    public async Task A_handover_a_call_already_took_starts_nothing_and_the_page_listens_again()
    {
        var slots = new FakeSlots();
        slots.Grants.Enqueue(1);
        var units = Units(2);
        var started = new List<int>();

        var run = FanOut.RunBoundedAsync(2, 2, i => Start(started, units, i), slots: slots);
        await WaitUntil(() => Count(started) == 1 && slots.Listening);
        slots.Hand(0);
        await WaitUntil(() => slots.Listens == 2);
        Assert.Equal(1, Count(started));
        Assert.Single(slots.Calls);

        slots.Hand(1);
        await WaitUntil(() => Count(started) == 2);
        units[0].SetResult(1);
        units[1].SetResult(2);
        var (two, _) = await run;
        Assert.Equal([1, 2], two);
    }

    [Fact]
    public async Task A_page_with_nothing_running_and_no_slot_polls_as_well_as_listens_and_asks_when_the_poll_fires()
    {
        var slots = new FakeSlots();
        slots.Grants.Enqueue(0);
        slots.Grants.Enqueue(1);
        var units = Units(1);
        var started = new List<int>();

        var run = FanOut.RunBoundedAsync(1, 1, i => Start(started, units, i), slots: slots);
        await WaitUntil(() => slots.Polls == 1 && slots.Listening);
        Assert.Single(slots.Calls);

        slots.FirePoll();
        await WaitUntil(() => Count(started) == 1);
        Assert.Equal(2, slots.Calls.Count);
        units[0].SetResult(7);
        var (one, _) = await run;
        Assert.Equal([7], one);
    }

    [Fact]
    public async Task A_poll_that_fires_after_handed_slots_started_units_makes_no_call()
    {
        var slots = new FakeSlots();
        slots.Grants.Enqueue(0);
        var units = Units(2);
        var started = new List<int>();

        var run = FanOut.RunBoundedAsync(2, 2, i => Start(started, units, i), slots: slots);
        await WaitUntil(() => slots.Polls == 1 && slots.Listening);
        slots.Hand(2);
        await WaitUntil(() => Count(started) == 2);
        slots.FirePoll();
        await Task.Delay(100);
        Assert.Single(slots.Calls);

        units[0].SetResult(1);
        units[1].SetResult(1);
        await run;
        Assert.Equal((0, 0), slots.Calls[^1]);
    }

    [Fact]
    public async Task A_poll_still_pending_when_the_page_ends_is_cancelled()
    {
        var slots = new FakeSlots();
        slots.Grants.Enqueue(0);
        var units = Units(1);
        var started = new List<int>();

        var run = FanOut.RunBoundedAsync(1, 1, i => Start(started, units, i), slots: slots);
        await WaitUntil(() => slots.Polls == 1 && slots.Listening);
        slots.Hand(1);
        await WaitUntil(() => Count(started) == 1);
        Assert.False(slots.PollCancel.IsCancellationRequested);

        units[0].SetResult(3);
        await run;
        // Pending, the poll's timer would hold the page orchestration's completion back until it fired.
        Assert.True(slots.PollCancel.IsCancellationRequested);
    }

    private static TaskCompletionSource<int>[] Units(int count) =>
        Enumerable.Range(0, count).Select(_ => new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();

    private static Task<int> Start(List<int> started, TaskCompletionSource<int>[] units, int i)
    {
        lock (started)
            started.Add(i);
        return units[i].Task;
    }

    private static int Count(List<int> started)
    {
        lock (started)
            return started.Count;
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
        private TaskCompletionSource<long>? handed;
        private TaskCompletionSource? poll;

        public Queue<int> Grants { get; } = new();

        public List<(int Running, int Want)> Calls { get; } = [];

        public int Polls { get; private set; }

        public int Listens { get; private set; }

        public bool Listening => Volatile.Read(ref handed) is { Task.IsCompleted: false };

        public string? Waiting => null;

        public Task<int> AcquireAsync(int running, int want)
        {
            lock (Calls)
                Calls.Add((running, want));
            return Task.FromResult(Grants.TryDequeue(out var n) ? Math.Min(n, want) : want);
        }

        public bool KeepsFreedSlot() => false;

        public Task<long> HandedAsync()
        {
            Listens++;
            handed = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            return handed.Task;
        }

        // The fake's handovers say how many to take: what the scheduler's count leaves after the page's calls.
        public int Take(long handed) => (int)handed;

        public CancellationToken PollCancel { get; private set; }

        public Task PollAsync(CancellationToken cancel)
        {
            Polls++;
            PollCancel = cancel;
            poll = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return poll.Task;
        }

        public void Hand(int slots) => handed!.SetResult(slots);

        public void FirePoll() => poll!.SetResult();
    }
}
