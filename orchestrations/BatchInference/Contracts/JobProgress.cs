namespace Serverless.BatchInference.Contracts;

/// <summary>
/// The job's custom status while it runs: progress counted in images against a known total, and
/// what the dashboard shows of it (failures by reason, the top classes, progress over time).
/// Bounded whatever the size of the job: Durable Functions keeps custom status under about 16 KB.
/// <see cref="StartedAt"/> is when the job started: the instance's created time is that of its
/// current execution, which continue-as-new moves.
/// </summary>
public sealed record JobProgress(
    string Phase,
    long Done,
    long Failed,
    long? Total,
    long Listed,
    double ImagesPerSecond,
    double? EtaSeconds,
    IReadOnlyDictionary<string, long>? FailuresByReason = null,
    IReadOnlyDictionary<string, long>? TopClasses = null,
    IReadOnlyList<ProgressSample>? Samples = null,
    DateTime? StartedAt = null)
{
    /// <summary>The SHA-256 of the model file the job pinned (null until its model was checked).</summary>
    public string? ModelSha256 { get; init; }

    /// <summary>Listed images whose rows were copied from the job's <c>skipExisting</c> output instead of classified.</summary>
    public long Skipped { get; init; }

    /// <summary>The job this one reruns the failed images of.</summary>
    public string? ParentJob { get; init; }

    /// <summary>The job's priority as the scheduler applies it (null for a job run without the scheduler).</summary>
    public string? Priority { get; init; }

    /// <summary>Why the job (or one of its pages) waits: its tenant's quota, or slots held by other work; null when it does not.</summary>
    public string? Waiting { get; init; }

    /// <summary>Classes kept in <see cref="TopClasses"/>.</summary>
    public const int TopClassCount = 20;

    /// <summary>Longest label kept in <see cref="TopClasses"/> (labels come from the model's labels file).</summary>
    public const int MaxLabelLength = 80;

    /// <summary>The <see cref="TopClassCount"/> most frequent classes, most frequent first, labels cut to <see cref="MaxLabelLength"/>.</summary>
    public static Dictionary<string, long> Top(IReadOnlyDictionary<string, long> histogram)
    {
        var top = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (label, count) in histogram.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            var shown = label.Length <= MaxLabelLength ? label : label[..(MaxLabelLength - 1)] + "\u2026";
            top[shown] = top.GetValueOrDefault(shown) + count;
            if (top.Count == TopClassCount)
                break;
        }
        return top;
    }
}

/// <summary>The job's output when it completes.</summary>
public sealed record JobOutput(
    string JobId,
    string Predictions,
    string Summary,
    long Images,
    long Failed,
    Dictionary<string, long> FailuresByReason,
    double ImagesPerSecond,
    double ElapsedSeconds,
    int Executions = 1)
{
    /// <summary>Images that stayed read_failed after the job's second pass (counted in <see cref="Failed"/> too).</summary>
    public long ReadFailed { get; init; }

    /// <summary>Images whose first read failed and that the second pass classified.</summary>
    public long Healed { get; init; }

    /// <summary>The SHA-256 of the model file the job pinned when it started.</summary>
    public string? ModelSha256 { get; init; }

    /// <summary>Images whose rows were copied from the job's <c>skipExisting</c> output (counted in <see cref="Images"/>, not classified).</summary>
    public long Skipped { get; init; }

    /// <summary>The job this one reruns the failed images of.</summary>
    public string? ParentJob { get; init; }
}

/// <summary>A running page's custom status: images done so far in that page, and why it waits for slots (null when it does not).</summary>
public sealed record PageProgress(long Done, long Failed)
{
    public string? Waiting { get; init; }

    /// <summary>The job's priority as the scheduler applied it at the page's last call.</summary>
    public string? Priority { get; init; }
}
