using System.Diagnostics;
using System.Globalization;
using Serverless.Orchestrations;
using Serverless.Orchestrations.Backends.InMemory;
using Serverless.Orchestrations.Client;

namespace Serverless.Bench;

/// <summary>
/// bench/run.sh orchestration-job --activities N: the paged job of <see cref="PagedJob"/> on the
/// in-memory backend, in a process of its own so that its peak RSS is its own. Prints the time,
/// the rate, the largest history of any instance execution and the process's peak RSS.
/// </summary>
internal static class PagedJobBenchmark
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var total = args.Int("activities", 100_000);
        var pageSize = args.Int("page-size", 1000);
        var pagesPerExecution = args.Int("pages-per-execution", 200);
        var pageInFlight = args.Int("page-in-flight", pageSize);
        var maxActivities = args.Int("max-concurrent-activities", Environment.ProcessorCount * 10);
        args.RejectUnknown();

        var backend = new InMemoryOrchestrationBackend();
        long work = 0;
        await using var worker = await WorkerHost.StartAsync(backend, backend, r => PagedJob.Register(r, () => Interlocked.Increment(ref work)), o =>
        {
            o.MaxConcurrentActivityFunctions = maxActivities;
            o.ShutdownTimeout = TimeSpan.FromSeconds(1);
        });

        var sw = Stopwatch.StartNew();
        var id = await worker.Client.ScheduleNewOrchestrationInstanceAsync(PagedJob.Parent, new PagedJob.JobState(total, pageSize, pagesPerExecution, 2, pageInFlight, 0, 0));
        long lastWork = -1;
        var lastLog = sw.Elapsed;
        OrchestrationMetadata? state;
        while ((state = await worker.Client.GetInstanceAsync(id, getInputsAndOutputs: true)) is not { IsCompleted: true })
        {
            await Task.Delay(20);
            if (sw.Elapsed - lastLog > TimeSpan.FromSeconds(10))
            {
                var now = Interlocked.Read(ref work);
                Report.Log($"{now}/{total} activities after {sw.Elapsed.TotalSeconds:0}s, RSS {Rss.CurrentMb():0} MB");
                if (now == lastWork)
                {
                    throw new TimeoutException("no activity ran in the last 10 seconds.");
                }

                lastWork = now;
                lastLog = sw.Elapsed;
            }
        }

        var seconds = sw.Elapsed.TotalSeconds;
        if (state.RuntimeStatus != OrchestrationRuntimeStatus.Completed || state.ReadOutputAs<long>() != total)
        {
            throw new InvalidOperationException($"the job ended {state.RuntimeStatus} with output {state.SerializedOutput}: {state.FailureDetails}");
        }

        var peakRss = Rss.PeakMb();
        var (instances, maxHistory) = await LargestHistoryAsync(worker.Client);
        Report.Value("activities", total);
        Report.Value("seconds", seconds, "0.00");
        Report.Value("activities_per_s", total / seconds, "0");
        Report.Value("instances", instances);
        Report.Value("history_events_max", maxHistory);
        Report.Value("peak_rss_mb", peakRss, "0");
        Report.Value("activities_run", Interlocked.Read(ref work).ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>Every instance (pages and the parent's last execution) and the largest history among them.</summary>
    private static async Task<(int Instances, int MaxHistory)> LargestHistoryAsync(DurableTaskClient client)
    {
        var count = 0;
        var max = 0;
        await foreach (var instance in client.GetAllInstancesAsync(new OrchestrationQuery { PageSize = 1000 }))
        {
            count++;
            max = Math.Max(max, (await client.GetHistoryAsync(instance.InstanceId)).Count);
        }

        return (count, max);
    }
}
