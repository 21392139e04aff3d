using System.Diagnostics;
using Azure.Data.Tables;
using Serverless.Orchestrations.Backends.AzureStorage;
using Serverless.Orchestrations.Client;
using Serverless.Orchestrations.Core;
using Serverless.TestSupport;
using Xunit.Abstractions;

namespace Serverless.Orchestrations.Tests.AzureStorage;

/// <summary>
/// Crash recovery with real worker processes (tests/WorkerProcess) on one Azurite task hub,
/// killed with SIGKILL: no shutdown code runs, leases are not released, locked messages stay
/// invisible until their timeout.
/// </summary>
public sealed class AzureStorageCrashRecoveryTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    // Short leases and locks so takeover happens within seconds (15 s is the blob service's minimum lease).
    private static readonly string[] FastFailover =
        ["--lease-seconds", "15", "--renew-seconds", "2", "--visibility-seconds", "6", "--max-activities", "4", "--activity-delay-ms", "150"];

    [Fact]
    public async Task Killing_a_worker_mid_fan_out_loses_no_result_duplicates_none_and_its_partitions_move_to_the_survivor()
    {
        const int activities = 200;
        const string instanceId = "crash-fanout";
        var hub = TestHubs.NewHubName();
        await using var backend = new AzureStorageOrchestrationBackend(TestHubs.Options(azurite.ConnectionString, hub));
        await backend.CreateTaskHubAsync();
        var client = new DurableTaskClient(backend, backend);
        var runs = new TableClient(azurite.ConnectionString, hub + "Runs");

        using var workerA = WorkerProcessHandle.Start(azurite.ConnectionString, hub, "worker-a", FastFailover);
        using var workerB = WorkerProcessHandle.Start(azurite.ConnectionString, hub, "worker-b", FastFailover);
        try
        {
            // Both workers hold partitions (the second steals from the first until balanced).
            await WaitUntilAsync(async () =>
            {
                var leases = await backend.GetPartitionLeasesAsync();
                return leases.Count == 4 && leases.Values.All(l => l.Leased)
                    && leases.Values.Select(l => l.Owner).Distinct().Count() == 2;
            }, TimeSpan.FromSeconds(60), "both workers to own partitions", workerA, workerB);

            var before = await backend.GetPartitionLeasesAsync();
            var victim = before[backend.PartitionOf(instanceId)].Owner == workerA.WorkerId ? workerA : workerB;
            var survivor = victim == workerA ? workerB : workerA;
            var victimPartitions = before.Where(l => l.Value.Owner == victim.WorkerId).Select(l => l.Key).Order().ToArray();
            output.WriteLine($"victim {victim.WorkerId} owns [{string.Join(",", victimPartitions)}], including the instance's partition {backend.PartitionOf(instanceId)}");

            await client.ScheduleNewOrchestrationInstanceAsync("FanOut", activities, new StartOrchestrationOptions(instanceId));
            await WaitUntilAsync(async () => await CountRunsAsync(runs) >= 40, TimeSpan.FromSeconds(60), "40 activities to run", workerA, workerB);
            var killedAfter = await CountRunsAsync(runs);
            var clock = Stopwatch.StartNew();
            victim.Kill();
            output.WriteLine($"killed {victim.WorkerId} after {killedAfter} activity executions");

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            var result = await client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
            output.WriteLine($"completed {clock.Elapsed.TotalSeconds:F1} s after the kill");

            Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
            var expected = Enumerable.Range(0, activities).Select(ResultOf).ToArray();
            Assert.Equal(expected, result.ReadOutputAs<int[]>());

            // No duplicate history although some activities ran twice.
            var history = await client.GetHistoryAsync(instanceId);
            Assert.Equal(activities, history.OfType<TaskScheduledEvent>().Count());
            Assert.Equal(activities, history.OfType<TaskCompletedEvent>().Count());
            Assert.Equal(activities, history.OfType<TaskCompletedEvent>().Select(e => e.TaskScheduledId).Distinct().Count());
            var executions = await ReadRunsAsync(runs);
            Assert.Equal(activities, executions.Select(r => r.PartitionKey).Distinct().Count());
            output.WriteLine($"{executions.Count} executions for {activities} activities ({executions.Count - activities} ran again after the crash)");

            // The survivor took over every partition of the dead worker (and so owns them all).
            await WaitUntilAsync(async () => (await backend.GetPartitionLeasesAsync()).Values.All(l => l.Leased && l.Owner == survivor.WorkerId),
                TimeSpan.FromSeconds(30), "the survivor to own every partition", survivor);
            Assert.Contains(executions, r => r.GetString("Worker") == victim.WorkerId);
            Assert.Contains(executions, r => r.GetString("Worker") == survivor.WorkerId);
        }
        finally
        {
            output.WriteLine("--- worker-a ---\n" + workerA.OutputTail);
            output.WriteLine("--- worker-b ---\n" + workerB.OutputTail);
        }
    }

    [Fact]
    public async Task Activity_that_kills_its_worker_process_every_time_ends_as_poison_message_and_the_orchestration_completes()
    {
        const int maxDequeueCount = 3;
        const string instanceId = "poison-victim";
        var hub = TestHubs.NewHubName();
        await using var backend = new AzureStorageOrchestrationBackend(TestHubs.Options(azurite.ConnectionString, hub));
        await backend.CreateTaskHubAsync();
        var client = new DurableTaskClient(backend, backend);
        var runs = new TableClient(azurite.ConnectionString, hub + "Runs");
        string[] args = ["--max-dequeue", maxDequeueCount.ToString(), "--visibility-seconds", "3", "--renew-seconds", "2"];

        await client.ScheduleNewOrchestrationInstanceAsync("SurvivesPoison", null, new StartOrchestrationOptions(instanceId));
        for (var delivery = 1; delivery <= maxDequeueCount; delivery++)
        {
            // The same worker id each time, as a restarted pod would have: it takes back its own unexpired leases.
            using var worker = WorkerProcessHandle.Start(azurite.ConnectionString, hub, "poison-worker", args);
            try
            {
                await worker.WaitForExitAsync(TimeSpan.FromSeconds(60));
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Delivery {delivery} did not kill the worker:\n{worker.OutputTail}");
            }
            output.WriteLine($"delivery {delivery}: worker died");
        }

        using var last = WorkerProcessHandle.Start(azurite.ConnectionString, hub, "poison-worker", args);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        OrchestrationMetadata result;
        try
        {
            result = await client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The orchestration did not complete:\n{last.OutputTail}");
        }

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(FailureDetails.PoisonMessageErrorType, result.ReadOutputAs<string>());
        var kills = (await ReadRunsAsync(runs)).Where(r => r.PartitionKey == "kill").ToArray();
        Assert.Equal(maxDequeueCount, kills.Length);
        Assert.Equal(Enumerable.Range(1, maxDequeueCount), kills.Select(r => r.GetInt32("DequeueCount") ?? 0).Order());
        Assert.False(last.HasExited, "the poison activity must not have run a fourth time");
        var failed = Assert.Single((await client.GetHistoryAsync(instanceId)).OfType<TaskFailedEvent>());
        Assert.Equal(FailureDetails.PoisonMessageErrorType, failed.FailureDetails.ErrorType);
    }

    private static int ResultOf(int i) => i * 1000 + 7; // what the worker's "Record" activity returns

    private static async Task<int> CountRunsAsync(TableClient runs)
    {
        try
        {
            return (await ReadRunsAsync(runs)).Count;
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            return 0; // the table is created by the first worker
        }
    }

    private static async Task<List<TableEntity>> ReadRunsAsync(TableClient runs)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in runs.QueryAsync<TableEntity>())
            rows.Add(row);
        return rows;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, params WorkerProcessHandle[] workers)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > timeout)
                Assert.Fail($"Timed out waiting for {what}.\n" + string.Join("\n", workers.Select(w => $"--- {w.WorkerId} ---\n{w.OutputTail}")));
            await Task.Delay(200);
        }
    }
}
