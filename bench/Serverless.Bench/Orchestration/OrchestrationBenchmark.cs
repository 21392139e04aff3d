using Serverless.Orchestrations.Backends.AzureStorage;
using Serverless.Orchestrations.Backends.InMemory;
using Serverless.TestSupport;

namespace Serverless.Bench;

/// <summary>
/// bench/run.sh orchestration: fan-out/fan-in of one orchestration of no-op activities on Azure
/// Storage (a private Azurite) and in memory, then the paged 100k and 1M jobs, each in a child process.
/// </summary>
internal static class OrchestrationBenchmark
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var activities = args.Int("activities", 5000);
        var jobSizes = args.String("job-sizes", "100000,1000000").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        var skipAzure = args.String("azure", "true") == "false";
        args.RejectUnknown();

        Report.Value("fanout_definition", "activities / seconds from scheduling the instance until the last activity started");
        Report.Value("fanin_definition", "activities / seconds from the first activity completion until the instance was seen Completed");
        Report.Value("activities", activities);

        if (!skipAzure)
        {
            await using var azurite = await AzuriteProcess.StartAsync(Path.Combine(BenchPaths.Work, "azurite-" + Guid.NewGuid().ToString("N")[..8]));
            Report.Log($"Azurite on blob {azurite.BlobPort}, queue {azurite.QueuePort}, table {azurite.TablePort}");
            var backend = new AzureStorageOrchestrationBackend(new AzureStorageBackendOptions
            {
                ConnectionString = azurite.ConnectionString,
                HubName = "bench" + Guid.NewGuid().ToString("N")[..8],
            });
            try
            {
                var azure = await FanOutBenchmark.RunAsync("azure", backend, backend, activities, _ => { }, TimeSpan.FromMilliseconds(20));
                Report.Value("azure_fanout_activities_per_s", azure.FanOutPerSecond, "0");
                Report.Value("azure_fanin_activities_per_s", azure.FanInPerSecond, "0");
                Report.Value("azure_total_s", azure.TotalSeconds, "0.00");
                Report.Value("azure_turns", azure.Turns);
            }
            finally
            {
                await backend.DeleteTaskHubAsync();
                await backend.DisposeAsync();
                Directory.Delete(azurite.Location, recursive: true);
            }
        }

        // In memory: one warm-up instance first (JIT), then the measured one on a fresh backend.
        var warmBackend = new InMemoryOrchestrationBackend();
        await FanOutBenchmark.RunAsync("in-memory warm-up", warmBackend, warmBackend, activities, _ => { }, TimeSpan.FromMilliseconds(2));
        var memoryBackend = new InMemoryOrchestrationBackend();
        var memory = await FanOutBenchmark.RunAsync("in-memory", memoryBackend, memoryBackend, activities, _ => { }, TimeSpan.FromMilliseconds(2));
        Report.Value("inmemory_fanout_activities_per_s", memory.FanOutPerSecond, "0");
        Report.Value("inmemory_fanin_activities_per_s", memory.FanInPerSecond, "0");
        Report.Value("inmemory_total_s", memory.TotalSeconds, "0.000");
        Report.Value("inmemory_turns", memory.Turns);

        var historyMax = 0L;
        var rssMax = 0.0;
        foreach (var size in jobSizes)
        {
            var values = await ChildProcess.RunBenchAsync(["orchestration-job", "--activities", size.ToString()]);
            var label = size % 1_000_000 == 0 ? $"{size / 1_000_000}m" : size % 1000 == 0 ? $"{size / 1000}k" : size.ToString();
            Report.Value($"job_{label}_seconds", values["seconds"]);
            Report.Value($"job_{label}_activities_per_s", values["activities_per_s"]);
            Report.Value($"job_{label}_history_events_max", values["history_events_max"]);
            Report.Value($"job_{label}_peak_rss_mb", values["peak_rss_mb"]);
            historyMax = Math.Max(historyMax, long.Parse(values["history_events_max"]));
            rssMax = Math.Max(rssMax, double.Parse(values["peak_rss_mb"], System.Globalization.CultureInfo.InvariantCulture));
        }

        if (jobSizes.Length > 0)
        {
            Report.Value("history_events_max", historyMax);
            Report.Value("peak_rss_mb", rssMax, "0");
        }

        return 0;
    }
}
