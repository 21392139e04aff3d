using System.Globalization;

namespace Serverless.Bench;

/// <summary>
/// CPU seconds from /proc (Linux): unlike wall time, hardly moved by other load on this shared
/// machine, so it shows where a run's work goes even when the wall-clock ratios are noisy.
/// </summary>
internal static class CpuTime
{
    // Clock ticks per second of /proc/*/stat times (USER_HZ), 100 on Linux.
    private const double TicksPerSecond = 100;

    /// <summary>User + system CPU seconds of a running process.</summary>
    public static double OfProcess(int pid) => Read($"/proc/{pid}/stat", 11, 12);

    /// <summary>User + system CPU seconds of this process's children that have exited and been waited for.</summary>
    public static double OfExitedChildren() => Read("/proc/self/stat", 13, 14);

    private static double Read(string path, int first, int second)
    {
        // The command name (field 2) may hold spaces; the fields after it start with the state (field 3).
        var stat = File.ReadAllText(path);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[first], CultureInfo.InvariantCulture) + long.Parse(fields[second], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }
}
