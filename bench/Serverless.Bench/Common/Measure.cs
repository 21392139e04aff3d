using System.Diagnostics;

namespace Serverless.Bench;

/// <summary>Warm-up then repeated timing; the median resists the other builds sharing this machine.</summary>
internal static class Measure
{
    /// <summary>Runs <paramref name="action"/> <paramref name="warmups"/> times untimed, then <paramref name="repeats"/> times; returns the median seconds.</summary>
    public static double MedianSeconds(string name, int warmups, int repeats, Action action) =>
        MedianSecondsAsync(name, warmups, repeats, () =>
        {
            action();
            return Task.CompletedTask;
        }).GetAwaiter().GetResult();

    /// <inheritdoc cref="MedianSeconds"/>
    public static async Task<double> MedianSecondsAsync(string name, int warmups, int repeats, Func<Task> action)
    {
        for (var i = 0; i < warmups; i++)
        {
            await action().ConfigureAwait(false);
        }

        var times = new double[repeats];
        for (var i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            await action().ConfigureAwait(false);
            times[i] = sw.Elapsed.TotalSeconds;
        }

        var median = Median(times);
        Report.Log($"{name}: median {median * 1000:0.0} ms of [{string.Join(", ", times.Select(t => (t * 1000).ToString("0.0")))}]");
        return median;
    }

    /// <summary>The median of <paramref name="values"/>.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
