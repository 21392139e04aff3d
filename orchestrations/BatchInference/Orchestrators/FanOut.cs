using System.Runtime.ExceptionServices;

namespace Serverless.BatchInference.Orchestrators;

/// <summary>Bounded fan-out inside an orchestrator: at most N tasks in flight, results in index order.</summary>
internal static class FanOut
{
    /// <summary>
    /// Starts <paramref name="start"/>(i) for i in 0..count-1 with at most <paramref name="maxInFlight"/>
    /// running; when one finishes the next starts. Deterministic under replay because the order of
    /// completions comes from history. <paramref name="completed"/> sees each result as it arrives. The first failure is rethrown after every started task ended.
    /// </summary>
    public static async Task<T[]> RunBoundedAsync<T>(int count, int maxInFlight, Func<int, Task<T>> start, Action<T>? completed = null)
    {
        var results = new T[count];
        var running = new Dictionary<Task<T>, int>();
        var next = 0;
        Exception? firstFailure = null;
        while (next < count || running.Count > 0)
        {
            while (next < count && running.Count < maxInFlight && firstFailure is null)
            {
                running.Add(start(next), next);
                next++;
            }
            if (running.Count == 0)
                break;
            var done = await Task.WhenAny(running.Keys);
            var index = running[done];
            running.Remove(done);
            if (done.IsFaulted)
                firstFailure ??= done.Exception!.InnerException!;
            else
            {
                results[index] = done.Result;
                completed?.Invoke(done.Result);
            }
        }
        if (firstFailure is not null)
            ExceptionDispatchInfo.Throw(firstFailure);
        return results;
    }
}
