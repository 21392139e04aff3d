using System.Diagnostics;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Jobs.Configuration;
using Serverless.BatchInference.Contracts;
using Serverless.Host.Durable;
using Serverless.TestSupport;
using Serverless.Jobs;

namespace Serverless.Bench;

/// <summary>
/// bench/run.sh orchestration: the engine alone. One orchestration of N no-op activities on DTFx
/// (DurableTask.AzureStorage on a private Azurite), run by the self-host's own wiring (shims,
/// TaskHubWorker) with the settings of the repository's host.json unless overridden.
/// </summary>
internal static class OrchestrationBenchmark
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var count = args.Int("activities", 5000);
        var options = ShippedOptions();
        options.StorageProvider.PartitionCount = args.Int("partitions", options.StorageProvider.PartitionCount);
        options.StorageProvider.MaxQueuePollingInterval = TimeSpan.FromMilliseconds(args.Int("max-polling-ms", (int)options.StorageProvider.MaxQueuePollingInterval.TotalMilliseconds));
        options.MaxConcurrentActivityFunctions = args.Int("max-concurrent-activities", options.MaxConcurrentActivityFunctions);
        options.ExtendedSessionsEnabled = bool.Parse(args.String("extended-sessions", options.ExtendedSessionsEnabled.ToString()));
        args.RejectUnknown();

        var data = Path.Combine(BenchPaths.Work, "orchestration-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await using var azurite = await AzuriteProcess.StartAsync(Path.Combine(data, "azurite"));
            options.HubName = "bench" + Guid.NewGuid().ToString("N")[..8];
            var settings = TaskHubSettingsFactory.Create(options, azurite.ConnectionString, NullLoggerFactory.Instance);
            var service = new AzureStorageOrchestrationService(settings);
            await service.CreateIfNotExistsAsync();
            var worker = StartWorker(service);
            await worker.StartAsync();
            var client = new AzureStorageDurableTaskClient(service, BatchJson.Converter);
            try
            {
                NoopActivity.Reset();
                var clock = Stopwatch.StartNew();
                var begin = Stopwatch.GetTimestamp();
                var id = await client.ScheduleNewOrchestrationInstanceAsync(NoopFanOutOrchestrator.Name, count);
                OrchestrationMetadata? done;
                while ((done = await client.GetInstanceAsync(id, getInputsAndOutputs: true)) is not { IsCompleted: true })
                    await Task.Delay(20);
                var end = Stopwatch.GetTimestamp();
                if (done.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
                    throw new InvalidOperationException($"the fan-out ended {done.RuntimeStatus}: {done.FailureDetails?.ErrorMessage}");
                var (firstStart, lastStart, firstEnd) = NoopActivity.Marks;
                var fanOut = count / Stopwatch.GetElapsedTime(begin, lastStart).TotalSeconds;
                var fanIn = count / Stopwatch.GetElapsedTime(firstEnd, end).TotalSeconds;
                Report.Log($"{count} activities in {clock.Elapsed.TotalSeconds:0.0}s; first activity after {Stopwatch.GetElapsedTime(begin, firstStart).TotalSeconds:0.00}s");
                Report.Value("activities", count);
                Report.Value("engine", "DurableTask.Core 3.11.2 + DurableTask.AzureStorage 2.11.2 on Azurite");
                Report.Value("settings", $"partitions={options.StorageProvider.PartitionCount} maxQueuePollingInterval={options.StorageProvider.MaxQueuePollingInterval} " +
                    $"extendedSessions={options.ExtendedSessionsEnabled} maxConcurrentActivityFunctions={options.MaxConcurrentActivityFunctions}");
                Report.Value("azure_fanout_activities_per_s", fanOut, "0.0");
                Report.Value("azure_fanin_activities_per_s", fanIn, "0.0");
                Report.Value("total_seconds", clock.Elapsed.TotalSeconds, "0.00");
                Report.Value("fanout_definition", "activities / seconds from scheduling until the last activity started");
                Report.Value("fanin_definition", "activities / seconds from the first activity completion until the client saw Completed (polled every 20 ms)");
                Report.Value("load_average", Sample.LoadAverage(), "0.0");
            }
            finally
            {
                await worker.StopAsync(isForced: true);
            }
        }
        finally
        {
            BenchPaths.DeleteQuietly(data);
        }
        return 0;
    }

    /// <summary>host.json's extensions:durableTask, as `serverless host` binds it.</summary>
    private static TaskHubOptions ShippedOptions()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(BenchPaths.RepoRoot, "host.json")).Build();
        return configuration.GetSection(TaskHubSettings.Section).Get<TaskHubOptions>() ?? new TaskHubOptions();
    }

    private static TaskHubWorker StartWorker(AzureStorageOrchestrationService service)
    {
        var services = new ServiceCollection().AddSingleton<NoopActivity>().BuildServiceProvider();
        var shims = new DurableTaskShimFactory(new DurableTaskWorkerOptions { DataConverter = BatchJson.Converter }, NullLoggerFactory.Instance);
        var worker = new TaskHubWorker(service, NullLoggerFactory.Instance) { ErrorPropagationMode = ErrorPropagationMode.UseFailureDetails };
        worker.AddTaskOrchestrations(new OrchestrationShimCreator(NoopFanOutOrchestrator.Name, typeof(NoopFanOutOrchestrator), shims, services));
        worker.AddTaskActivities(new ActivityShimCreator(NoopActivity.Name, typeof(NoopActivity), shims, services, new ActivityDrain(new ActivityShutdown())));
        return worker;
    }
}
