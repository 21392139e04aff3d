using System.Runtime.ExceptionServices;
using Serverless.BatchInference.Scheduling;

namespace Serverless.BatchInference.Orchestrators;

/// <summary>Bounded fan-out inside an orchestrator: at most N tasks in flight, results in index order.</summary>
internal static class FanOut
{
    /// <summary>
    /// Starts <paramref name="start"/>(i) for i in 0..count-1 with at most <paramref name="maxInFlight"/>
    /// running; when one finishes the next starts. Deterministic under replay because the order of
    /// completions comes from history. <paramref name="completed"/> sees each result as it arrives.
    /// Once <paramref name="stop"/> completes no more start; those running are awaited.
    /// With <paramref name="slots"/>, a task starts only on a slot the scheduler granted, and a
    /// finished task gives its slot back in the next call (or, within the scheduler's quantum, to the next task); <paramref name="waiting"/> sees each change
    /// of why the page waits. A page that could start more than it holds slots for takes the slots another
    /// page's call hands it (<see cref="UnitSlots.HandedAsync"/>) as they come, without a call, even while its
    /// own units run: waiting for one of them to end left an activity slot idle at each page boundary.
    /// The first failure is rethrown after every started task ended.
    /// </summary>
    /// <returns>The results, and how many were started (indexes from there on never ran and hold default).</returns>
    public static async Task<(T[] Results, int Started)> RunBoundedAsync<T>(int count, int maxInFlight, Func<int, Task<T>> start,
        Action<T>? completed = null, Task? stop = null, IUnitSlots? slots = null, Action? waiting = null)
    {
        var results = new T[count];
        var running = new Dictionary<Task, int>();
        var next = 0;
        var granted = 0; // slots granted and not used yet
        var ask = slots is not null;
        Task<long>? handed = null; // slots another page's call hands this one
        Task? poll = null; // with nothing running and no slot: when to ask again
        using var pollCancel = new CancellationTokenSource(); // a poll still pending at the end would hold the page's completion back
        Exception? firstFailure = null;
        while (next < count || running.Count > 0)
        {
            var stopped = stop is { IsCompleted: true };
            var canStart = next < count && running.Count < maxInFlight && firstFailure is null && !stopped;
            if (slots is not null && ask)
            {
                // A call after a finished unit (past the quantum) or a wake: its slot back, and the next ones asked for.
                var before = slots.Waiting;
                var want = canStart ? Math.Max(0, Math.Min(maxInFlight - running.Count, count - next) - granted) : 0;
                granted += await slots.AcquireAsync(running.Count + granted, want);
                ask = false;
                if (slots.Waiting != before)
                    waiting?.Invoke();
            }
            while (canStart && (slots is null || granted > 0) && next < count && running.Count < maxInFlight)
            {
                running.Add(start(next), next);
                next++;
                granted = Math.Max(granted - 1, 0);
            }
            if (slots is not null && canStart && granted == 0 && next < count && running.Count < maxInFlight)
            {
                handed ??= slots.HandedAsync();
                if (running.Count == 0)
                    poll ??= slots.PollAsync(pollCancel.Token);
            }
            if (running.Count == 0 && (!canStart || (handed is null && poll is null)))
                break;
            List<Task> waitOn = [.. running.Keys];
            if (handed is not null)
                waitOn.Add(handed);
            if (poll is not null)
                waitOn.Add(poll);
            if (stop is not null && !stopped)
                waitOn.Add(stop);
            var done = await Task.WhenAny(waitOn);
            if (done == stop)
                continue;
            if (done == handed)
            {
                // Slots to start units on now; none when a call of this page's had already taken them.
                granted += slots!.Take(handed.Result);
                handed = null;
                continue;
            }
            if (done == poll)
            {
                // Units started since (on handed slots) ask when they end.
                poll = null;
                ask = running.Count == 0;
                continue;
            }
            ask = true;
            var index = running[done];
            running.Remove(done);
            var task = (Task<T>)done;
            if (task.IsFaulted)
                firstFailure ??= task.Exception!.InnerException!;
            else
            {
                results[index] = task.Result;
                completed?.Invoke(task.Result);
            }
            // Within the scheduler's quantum the finished unit's slot goes to the next unit without a call.
            if (slots is not null && next < count && firstFailure is null && stop is not { IsCompleted: true } && slots.KeepsFreedSlot())
            {
                granted++;
                ask = false;
            }
        }
        // Cancel, not CancelAsync: the framework's callback must run on the orchestrator's own thread.
        if (poll is not null)
            pollCancel.Cancel();
        // Every slot back: none runs, none is wanted.
        if (slots is not null)
            await slots.AcquireAsync(0, 0);
        if (firstFailure is not null)
            ExceptionDispatchInfo.Throw(firstFailure);
        return (results, next);
    }

    /// <summary>Cuts <paramref name="count"/> items into consecutive ranges of at most <paramref name="size"/>.</summary>
    public static (int First, int Count)[] Ranges(int count, int size)
    {
        size = Math.Max(size, 1);
        var ranges = new (int, int)[(count + size - 1) / size];
        for (var i = 0; i < ranges.Length; i++)
            ranges[i] = (i * size, Math.Min(size, count - i * size));
        return ranges;
    }
}
