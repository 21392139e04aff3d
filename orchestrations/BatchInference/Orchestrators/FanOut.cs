using System.Runtime.ExceptionServices;

namespace Serverless.BatchInference.Orchestrators;

/// <summary>Bounded fan-out inside an orchestrator: at most N tasks in flight, results in index order.</summary>
internal static class FanOut
{
    /// <summary>
    /// Starts <paramref name="start"/>(i) for i in 0..count-1 with at most <paramref name="maxInFlight"/>
    /// running; when one finishes the next starts. Deterministic under replay because the order of
    /// completions comes from history. <paramref name="completed"/> sees each result as it arrives.
    /// Once <paramref name="stop"/> completes no more start; those running are awaited.
    /// The first failure is rethrown after every started task ended.
    /// </summary>
    /// <returns>The results, and how many were started (indexes from there on never ran and hold default).</returns>
    public static async Task<(T[] Results, int Started)> RunBoundedAsync<T>(int count, int maxInFlight, Func<int, Task<T>> start,
        Action<T>? completed = null, Task? stop = null)
    {
        var results = new T[count];
        var running = new Dictionary<Task, int>();
        var next = 0;
        Exception? firstFailure = null;
        while (next < count || running.Count > 0)
        {
            var stopped = stop is { IsCompleted: true };
            while (next < count && running.Count < maxInFlight && firstFailure is null && !stopped)
            {
                running.Add(start(next), next);
                next++;
            }
            if (running.Count == 0)
                break;
            var waitOn = stop is null || stopped ? running.Keys.ToList() : [.. running.Keys, stop];
            var done = await Task.WhenAny(waitOn);
            if (done == stop)
                continue;
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
        }
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
