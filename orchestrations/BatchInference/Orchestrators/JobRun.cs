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
        var pages = new List<PageParts>(State.Pages) { new(0) };
        State = State with
        {
            NextPageIndex = index + 1,
            NextToken = page.NextToken,
            ListingDone = page.NextToken is null,
            Listed = State.Listed + page.Keys.Count,
            Pages = pages,
        };
        return index;
    }

    public void AddPageResult(PageResult result)
    {
        var pages = new List<PageParts>(State.Pages);
        pages[result.PageIndex] = result.Parts;
        State = State with { Pages = pages, Counts = State.Counts.Add(result.Counts) };
    }

    /// <summary>Records the images done so far, <paramref name="seconds"/> after the job started.</summary>
    public void AddSample(double seconds) =>
        State = State with { Samples = ProgressSamples.Add(State.Samples, new ProgressSample(Math.Round(seconds, 1), State.Counts.Images, State.Counts.Failed)) };
}
