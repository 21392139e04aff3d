using System.Net;
using System.Text.RegularExpressions;
using Serverless.BatchInference.Contracts;
using Serverless.EndToEnd.Tests.Support;
using Serverless.Storage;

namespace Serverless.EndToEnd.Tests.Dashboard;

/// <summary>/metrics after the job (Prometheus' format, scraped with a bearer key), and the job's report.html.</summary>
public sealed partial class DashboardTests
{
    [Fact]
    public async Task Metrics_after_the_job_count_its_images_failures_batches_jobs_drops_and_queues()
    {
        var run = await RunAsync();
        var model = ("model", Path.GetFileName(run.Stack.DominantColor));
        var failedByReason = run.BadKeys.Values.GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        var batches = run.Keys.Chunk(DashboardRun.PageSize).Sum(page => (page.Length + DashboardRun.BatchSize - 1) / DashboardRun.BatchSize);
        // One ClassifyBatch activity classifies a work unit: a page of this run is one unit.
        var units = run.Keys.Chunk(DashboardRun.PageSize).Sum(page => (page.Length + JobDefaults.DefaultImagesPerTask - 1) / JobDefaults.DefaultImagesPerTask);

        // The drops and the task hub's gauges (sampled every second) arrive on their own time.
        var metrics = await ScrapeUntilAsync(run, m =>
            m.Values("serverless_drops_processed_total", ("outcome", "classified")).Sum() >= 2 && m.Values("serverless_drops_processed_total", ("outcome", "failed")).Sum() >= 1
            && m.Values("serverless_jobs", ("state", "Completed")).Sum() >= 2);

        // The main job's model label is its own: the other jobs of this host use other models... except the later one.
        var laterImages = 1;
        Assert.Equal(run.Keys.Count - run.BadKeys.Count + laterImages, metrics.Value("serverless_images_classified_total", model));
        Assert.Equal(run.Status.GetProperty("output").GetProperty("images").GetInt64() - run.Status.GetProperty("output").GetProperty("failed").GetInt64() + laterImages,
            metrics.Value("serverless_images_classified_total", model));
        foreach (var (reason, count) in failedByReason)
            Assert.Equal(count, metrics.Value("serverless_images_failed_total", model, ("reason", reason)));
        Assert.Equal(units + 1, metrics.Value("serverless_batch_duration_seconds_count", model));
        Assert.True(metrics.Value("serverless_batch_duration_seconds_sum", model) > 0);
        // The longest run of each activity: at least the mean of the units' runs, and every activity of a job is there.
        var meanUnit = metrics.Value("serverless_batch_duration_seconds_sum", model) / metrics.Value("serverless_batch_duration_seconds_count", model);
        Assert.True(metrics.Value("serverless_activity_longest_seconds", ("activity", ActivityNames.ClassifyBatch)) >= meanUnit * 0.999);
        Assert.Subset(metrics.LabelValues("serverless_activity_longest_seconds", "activity").ToHashSet(),
            new HashSet<string> { ActivityNames.CheckModel, ActivityNames.ListSourcePage, ActivityNames.ClassifyBatch, ActivityNames.MergeShard, ActivityNames.WriteResults });
        Assert.True(metrics.Values("serverless_inference_decode_duration_seconds_count", model).Sum() >= batches);
        Assert.True(metrics.Values("serverless_inference_run_duration_seconds_count", model).Sum() >= batches);
        Assert.True(metrics.Values("serverless_model_loads_total", model).Sum() >= 1);
        Assert.True(metrics.Value("serverless_model_cache_size") >= 1);
        Assert.Equal(2, metrics.Values("serverless_drops_processed_total", ("outcome", "classified")).Sum());
        Assert.Equal(1, metrics.Values("serverless_drops_processed_total", ("outcome", "failed")).Sum());
        var hub = DashboardRun.Hub.ToLowerInvariant();
        var queues = metrics.LabelValues("serverless_taskhub_queue_length", "queue");
        Assert.Contains($"{hub}-workitems", queues);
        Assert.Contains($"{hub}-control-00", queues);
        Assert.Contains($"{hub}-workitems", metrics.LabelValues("serverless_taskhub_queue_latency_seconds", "queue"));
        Assert.Equal(["Completed", "Failed", "Pending", "Running", "Suspended", "Terminated"], metrics.LabelValues("serverless_jobs", "state").Order());
        // The runtime's own meter: the GC's heap beside the process's working set (live objects or a heap not given back).
        Assert.True(metrics.Value("dotnet_process_memory_working_set_bytes") > 0);
        Assert.True(metrics.Values("dotnet_gc_last_collection_heap_size_bytes").Sum() > 0);
    }

    [Fact]
    public async Task The_report_beside_the_summary_is_self_contained_and_names_the_jobs_counts()
    {
        var run = await RunAsync();
        var store = ResultStoreFactory.Create(DashboardRun.Output, stack.Connections);
        var html = System.Text.Encoding.UTF8.GetString(await store.ReadAsync("report.html"));
        var summary = Json(System.Text.Encoding.UTF8.GetString(await store.ReadAsync("summary.json")));

        Assert.Contains($"<h1>Job {run.JobId}</h1>", html);
        Assert.Equal(run.Keys.Count, summary.GetProperty("total").GetInt64());
        Assert.Matches($"id=\"images\"><span class=\"label\">Images</span><span class=\"value\">{run.Keys.Count}<", html);
        Assert.Matches($"id=\"succeeded\">.*?class=\"value\">{run.Keys.Count - run.BadKeys.Count}<", html);
        Assert.Matches($"id=\"failed\">.*?class=\"value\">{run.BadKeys.Count}<", html);
        foreach (var (key, code) in run.BadKeys)
        {
            Assert.Contains($"<td>{key}</td><td><code>{code}</code></td>", html);
            Assert.Matches($"<span class=\"name\">{code}</span>.*?<span class=\"count\">1</span>", html);
        }
        Assert.Contains("<svg class=\"chart\"", html);
        Assert.Matches("<polyline class=\"line\" points=\"[0-9., ]+\"", html);
        foreach (var label in summary.GetProperty("classHistogram").EnumerateObject().Take(3))
            Assert.Contains($"<span class=\"name\">{label.Name}</span>", html);
        // Self-contained: nothing to fetch, nothing to run.
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotMatch(new Regex("(src|href)=\"(https?:)?//"), html);
    }

    private static Task<PrometheusText> ScrapeUntilAsync(DashboardRun run, Func<PrometheusText, bool> ready) =>
        PrometheusText.ScrapeUntilAsync(run.Host.BaseUrl, TimeSpan.FromSeconds(60), ready,
            text => Task.FromResult($"/metrics did not show the drops and jobs within 60 s:\n{text}\n{run.Host.OutputTail}"));
}
