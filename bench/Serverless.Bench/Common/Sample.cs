using System.Diagnostics;

namespace Serverless.Bench;

/// <summary>One timed run: wall seconds and the CPU seconds the whole process used meanwhile (all threads).</summary>
internal readonly record struct Sample(double WallSeconds, double CpuSeconds)
{
    /// <summary>Times <paramref name="action"/>.</summary>
    public static async Task<Sample> TakeAsync(Func<Task> action)
    {
        using var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        await action().ConfigureAwait(false);
        var wall = sw.Elapsed.TotalSeconds;
        process.Refresh();
        return new Sample(wall, (process.TotalProcessorTime - cpu0).TotalSeconds);
    }

    /// <summary>Times a synchronous <paramref name="action"/>.</summary>
    public static Sample Take(Action action) => TakeAsync(() =>
    {
        action();
        return Task.CompletedTask;
    }).GetAwaiter().GetResult();

    /// <summary>The machine's 1-minute load average (other engineers' builds share it), or NaN.</summary>
    public static double LoadAverage()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }
}
