using System.Diagnostics;
using Microsoft.DurableTask.Client;
using Serverless.Jobs.Telemetry;
using Serverless.BatchInference.Contracts;
using Serverless.Orchestrations.Tests.Support;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// A job's trace, as the host exports it: DTFx's spans (one per orchestration, sub-orchestration
/// and activity run) with the job id added to each, so a slow batch can be found by job.
/// </summary>
[Collection(TaskHubCollection.Name)]
public sealed class JobTraceTests(TaskHubHost hub)
{
    [Fact]
    public async Task A_jobs_trace_has_one_span_per_page_and_per_work_unit_with_the_job_id()
    {
        // 21 images in pages of 8 (8, 8, 5), units of 4 (inference batches of 3 inside): three pages, 2 + 2 + 2 units, two executions.
        var source = hub.WriteImages("traced", 21, seed: 21);
        var id = await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, BatchSize = 3, Output = Path.Combine(hub.Root, "out-traced") });
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await hub.WaitAsync(id)).RuntimeStatus);

        var spans = await SpansOfAsync(id, s => s.Any(span => Is(span, "orchestration:" + ActivityNames.BatchJob)));
        var job = spans.First(s => Is(s, "orchestration:" + ActivityNames.BatchJob));
        var pages = spans.Where(s => Is(s, "orchestration:" + ActivityNames.ClassifyPage)).ToList();
        var batches = spans.Where(s => Is(s, "activity:" + ActivityNames.ClassifyBatch)).ToList();

        Assert.Equal([0, 1, 2], pages.Select(p => (int)p.GetTagItem(JobTracing.PageIndexTag)!).Order());
        Assert.Equal(6, batches.Count);
        Assert.Equal(6, batches.Select(b => b.GetTagItem(JobTracing.PartTag)).Distinct().Count());
        Assert.Equal(21L, batches.Sum(b => (long)b.GetTagItem(JobTracing.ImagesTag)!));
        Assert.All(pages.Concat(batches), s => Assert.Equal(job.TraceId, s.TraceId));
        Assert.All(spans, s => Assert.Equal(id, s.GetTagItem(JobTracing.JobIdTag)));
    }

    [Fact]
    public async Task A_jobs_max_units_in_flight_bounds_the_pages_it_runs_at_once()
    {
        // Pages of 8 run two units of 4: with two units in flight the job runs one page at a time,
        // so no page's sub-orchestration starts before the page before it has ended.
        var source = hub.WriteImages("one-page-at-a-time", 24, seed: 23);
        var id = await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, MaxUnitsInFlight = 2, Output = Path.Combine(hub.Root, "out-one-page") });
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await hub.WaitAsync(id)).RuntimeStatus);

        var pages = (await SpansOfAsync(id, s => s.Count(span => Is(span, "orchestration:" + ActivityNames.ClassifyPage)) == 3))
            .Where(s => Is(s, "orchestration:" + ActivityNames.ClassifyPage))
            .ToDictionary(s => (int)s.GetTagItem(JobTracing.PageIndexTag)!, s => (Start: s.StartTimeUtc, End: s.StartTimeUtc + s.Duration));
        Assert.Equal([0, 1, 2], pages.Keys.Order());
        foreach (var page in new[] { 1, 2 })
            Assert.True(pages[page].Start >= pages[page - 1].End, $"page {page} started at {pages[page].Start:O}, before page {page - 1} ended at {pages[page - 1].End:O}");
    }

    [Theory]
    [InlineData(1000, 256, 16, 32, 8)]   // the defaults: 4 units a page, 8 pages
    [InlineData(8, 4, 16, 2, 1)]         // this host: 2 units a page
    [InlineData(1000, 1000, 16, 32, 32)] // one unit a page: a page per unit
    [InlineData(1000, 10, 16, 32, 2)]    // 100 units a page, 16 at a time
    public void Pages_in_flight_follow_from_the_units_a_page_runs(int pageSize, int imagesPerTask, int unitsPerPageAtOnce, int maxUnits, int pages) =>
        Assert.Equal(pages, JobRequestValidator.PagesInFlight(maxUnits, new JobDefaults { PageSize = pageSize, ImagesPerTask = imagesPerTask, MaxBatchesInFlight = unitsPerPageAtOnce }));

    private static bool Is(Activity span, string name) => span.Kind == ActivityKind.Server && span.DisplayName == name;

    /// <summary>The spans tagged with the job's id, once <paramref name="complete"/> holds (a span is exported when it ends).</summary>
    private async Task<IReadOnlyList<Activity>> SpansOfAsync(string jobId, Func<IReadOnlyList<Activity>, bool> complete)
    {
        for (var i = 0; ; i++)
        {
            var spans = hub.Spans.Snapshot().Where(s => Equals(s.GetTagItem(JobTracing.JobIdTag), jobId)).ToList();
            if (complete(spans) || i == 50)
                return spans;
            await Task.Delay(100);
        }
    }
}
