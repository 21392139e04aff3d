namespace Serverless.BatchInference.Contracts;

/// <summary>
/// What a batch, a page or a whole job produced, without the predictions themselves: counts,
/// failures by reason, a histogram of top-1 labels, and the names of the parts written.
/// Small enough to travel through orchestration history.
/// </summary>
public sealed record JobCounts
{
    public long Images { get; init; }
    public long Failed { get; init; }
    public Dictionary<string, long> FailuresByReason { get; init; } = new();
    public Dictionary<string, long> ClassHistogram { get; init; } = new();
    /// <summary>Sum of the activities' own durations, for the summary's timings.</summary>
    public double ActivitySeconds { get; init; }

    public long Succeeded => Images - Failed;

    /// <summary>Classes a job carries across continue-as-new at most: its state must not grow with the model's classes.</summary>
    public const int CarriedClasses = 64;

    public static JobCounts Empty { get; } = new();

    /// <summary>The sum of two counts (new dictionaries; the inputs are not changed).</summary>
    public JobCounts Add(JobCounts other)
    {
        return new JobCounts
        {
            Images = Images + other.Images,
            Failed = Failed + other.Failed,
            FailuresByReason = Merge(FailuresByReason, other.FailuresByReason),
            ClassHistogram = Merge(ClassHistogram, other.ClassHistogram),
            ActivitySeconds = ActivitySeconds + other.ActivitySeconds,
        };
    }

    /// <summary>These counts with only the <paramref name="classes"/> most frequent classes kept (the exact histogram is the merge's).</summary>
    public JobCounts Bounded(int classes = CarriedClasses) => ClassHistogram.Count <= classes ? this : this with
    {
        ClassHistogram = ClassHistogram.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(classes)
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
    };

    private static Dictionary<string, long> Merge(Dictionary<string, long> a, Dictionary<string, long> b)
    {
        var sum = new Dictionary<string, long>(a, StringComparer.Ordinal);
        foreach (var (key, value) in b)
            sum[key] = sum.GetValueOrDefault(key) + value;
        return sum;
    }
}

/// <summary>What one ClassifyPage sub-orchestration returns: its counts, its parts recorded in its page record.</summary>
/// <param name="Unclassified">Images of the page not classified because the job stopped (error threshold).</param>
public sealed record PageResult(int PageIndex, JobCounts Counts, int Unclassified = 0);
