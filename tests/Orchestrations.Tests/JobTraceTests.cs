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
