namespace Serverless.BatchInference.Contracts;

/// <summary>
/// A job's priority: <c>high</c>, <c>normal</c> (the default) or <c>low</c>. When the workers are
/// saturated, the scheduler (<see cref="Scheduling.JobScheduler"/>) starts units of a higher
/// priority first; a waiting job rises one level every <see cref="Scheduling.SchedulingRules.AgingStep"/>.
/// </summary>
public static class JobPriority
{
    public const string High = "high";
    public const string Normal = "normal";
    public const string Low = "low";

    /// <summary>The names, highest first.</summary>
    public static IReadOnlyList<string> Names { get; } = [High, Normal, Low];

    /// <summary>The name as written (lower case), or null when <paramref name="value"/> is none of <see cref="Names"/>.</summary>
    public static string? Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        High => High,
        Normal => Normal,
        Low => Low,
        _ => null,
    };

    /// <summary>Why <paramref name="value"/> is not a priority (for a 400 or a CLI error).</summary>
    public static string Error(string? value) => $"'{value}' is not a priority: use {string.Join(", ", Names)}";

    /// <summary>2 for high, 1 for normal, 0 for low (an unknown name counts as normal).</summary>
    public static int Rank(string? name) => Parse(name) switch { High => 2, Low => 0, _ => 1 };

    /// <summary>The name of a rank, ranks above high counting as high.</summary>
    public static string OfRank(int rank) => rank >= 2 ? High : rank <= 0 ? Low : Normal;
}
