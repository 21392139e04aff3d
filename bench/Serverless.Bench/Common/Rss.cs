using System.Globalization;

namespace Serverless.Bench;

/// <summary>Resident memory of this process from /proc/self/status (Linux).</summary>
internal static class Rss
{
    /// <summary>Peak resident set size (VmHWM) in MB.</summary>
    public static double PeakMb() => ReadKb("VmHWM:") / 1024.0;

    /// <summary>Current resident set size (VmRSS) in MB.</summary>
    public static double CurrentMb() => ReadKb("VmRSS:") / 1024.0;

    private static long ReadKb(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
