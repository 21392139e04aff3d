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

    private static Dictionary<string, long> Merge(Dictionary<string, long> a, Dictionary<string, long> b)
    {
        var sum = new Dictionary<string, long>(a, StringComparer.Ordinal);
        foreach (var (key, value) in b)
            sum[key] = sum.GetValueOrDefault(key) + value;
        return sum;
    }
}

/// <summary>
/// Which parts a page wrote: one per batch, except batches split into one part per image after
/// they crashed their worker (<see cref="SplitBatchSizes"/>: batch index to image count).
/// </summary>
public sealed record PageParts(int BatchCount, Dictionary<int, int>? SplitBatchSizes = null);

/// <summary>What one ClassifyPage sub-orchestration returns.</summary>
public sealed record PageResult(int PageIndex, PageParts Parts, JobCounts Counts);
