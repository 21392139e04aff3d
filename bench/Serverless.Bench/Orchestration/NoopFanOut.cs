using System.Diagnostics;
using Microsoft.DurableTask;

namespace Serverless.Bench;

/// <summary>One orchestration that fans out N no-op activities at once and fans their results in.</summary>
internal sealed class NoopFanOutOrchestrator : TaskOrchestrator<int, long>
{
    public const string Name = "BenchNoopFanOut";

    public override async Task<long> RunAsync(TaskOrchestrationContext context, int count)
    {
        var results = await Task.WhenAll(Enumerable.Range(0, count).Select(i => context.CallActivityAsync<int>(NoopActivity.Name, i)));
        return results.Sum(r => (long)r);
    }
}

/// <summary>Returns its input; records when the first and the last activity started and when the first ended.</summary>
internal sealed class NoopActivity : TaskActivity<int, int>
{
    public const string Name = "BenchNoop";

    private static long firstStart = long.MaxValue, lastStart, firstEnd = long.MaxValue;

    public static TimeSpan? FirstStart => firstStart == long.MaxValue ? null : Stopwatch.GetElapsedTime(0, firstStart);

    /// <summary>Timestamps (Stopwatch ticks) since the benchmark began.</summary>
    public static (long FirstStart, long LastStart, long FirstEnd) Marks => (Volatile.Read(ref firstStart), Volatile.Read(ref lastStart), Volatile.Read(ref firstEnd));

    public static void Reset() => (firstStart, lastStart, firstEnd) = (long.MaxValue, 0, long.MaxValue);

    public override Task<int> RunAsync(TaskActivityContext context, int input)
    {
        var now = Stopwatch.GetTimestamp();
        Min(ref firstStart, now);
        Max(ref lastStart, now);
        Min(ref firstEnd, Stopwatch.GetTimestamp());
        return Task.FromResult(input);
    }

    private static void Min(ref long field, long value)
    {
        long seen;
        while (value < (seen = Volatile.Read(ref field)) && Interlocked.CompareExchange(ref field, value, seen) != seen) { }
    }

    private static void Max(ref long field, long value)
    {
        long seen;
        while (value > (seen = Volatile.Read(ref field)) && Interlocked.CompareExchange(ref field, value, seen) != seen) { }
    }
}
