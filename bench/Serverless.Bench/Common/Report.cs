using System.Globalization;

namespace Serverless.Bench;

/// <summary>Results as key=value lines on stdout (what scripts parse); everything else goes to stderr.</summary>
internal static class Report
{
    /// <summary>Prints one result line.</summary>
    public static void Value(string key, double value, string format = "0.###") =>
        Console.Out.WriteLine($"{key}={value.ToString(format, CultureInfo.InvariantCulture)}");

    /// <summary>Prints one result line with a text value.</summary>
    public static void Value(string key, string value) => Console.Out.WriteLine($"{key}={value}");

    /// <summary>A diagnostic line on stderr, with the time since the process started.</summary>
    public static void Log(string message) =>
        Console.Error.WriteLine($"[{(DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime).TotalSeconds,7:0.0}s] {message}");
}
