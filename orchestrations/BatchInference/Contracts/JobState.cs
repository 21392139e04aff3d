namespace Serverless.BatchInference.Contracts;

/// <summary>
/// The input of each execution of the job orchestrator. A job of a million images continues as
/// new every few dozen pages, carrying only this: where the listing stands (the next page's index:
/// its token is in the previous page's manifest) and the totals so far, whose class histogram is
/// bounded (<see cref="JobCounts.CarriedClasses"/>). Nothing here grows with the job.
/// </summary>
public sealed record JobState
{
    public required JobSpec Spec { get; init; }
    public int NextPageIndex { get; init; }
    public bool ListingDone { get; init; }
    public long Listed { get; init; }

    /// <summary>Listed images left out because <see cref="JobSpec.SkipExisting"/> holds their rows (not in <see cref="Listed"/>).</summary>
    public long Skipped { get; init; }
    public JobCounts Counts { get; init; } = JobCounts.Empty;
    public DateTime? StartedUtc { get; init; }

    /// <summary>Images done over time, bounded (<see cref="ProgressSamples"/>): the dashboard's and the report's images/s chart.</summary>
    public List<ProgressSample> Samples { get; init; } = [];

    /// <summary>Executions of the job orchestrator so far (1 + its continue-as-new count).</summary>
    public int Execution { get; init; } = 1;

    public static JobState Start(JobSpec spec) => new() { Spec = spec };
}
