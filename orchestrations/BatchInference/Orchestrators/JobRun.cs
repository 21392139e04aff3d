using Serverless.BatchInference.Contracts;

namespace Serverless.BatchInference.Orchestrators;

/// <summary>The job orchestrator's bookkeeping: pages listed and pages done, folded into <see cref="JobState"/>.</summary>
internal sealed class JobRun(JobState state)
{
    public JobState State { get; private set; } = state;

    /// <summary>Records a listed page and returns its index.</summary>
    public int AddListedPage(ListPageOutput page)
    {
        var index = State.NextPageIndex;
        if (page.PageIndex != index)
            throw new InvalidOperationException($"page {page.PageIndex} listed where page {index} was expected");
        State = State with
        {
            NextPageIndex = index + 1,
            ListingDone = page.IsLast,
            Listed = State.Listed + page.Count,
            Skipped = State.Skipped + page.Existing,
            // The manifest's columns found so far: the pages after this one and the merge carry them.
            Spec = page.PassthroughColumns is { } columns ? State.Spec with { PassthroughColumns = columns } : State.Spec,
        };
        return index;
    }

    /// <summary>Adds a finished page's counts (the class histogram kept bounded: the exact one is the merge's).</summary>
    public void AddPageResult(PageResult result) =>
        State = State with { Counts = State.Counts.Add(result.Counts).Bounded() };

    /// <summary>Applies what a second pass changed: images that moved from one outcome to another (their number does not change).</summary>
    public void AddCorrection(JobCounts delta) =>
        State = State with { Counts = State.Counts.Add(delta with { Images = 0 }).Bounded() };

    /// <summary>Records the images done so far, <paramref name="seconds"/> after the job started.</summary>
    public void AddSample(double seconds) =>
        State = State with { Samples = ProgressSamples.Add(State.Samples, new ProgressSample(Math.Round(seconds, 1), State.Counts.Images, State.Counts.Failed)) };
}
