using System.Diagnostics;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Serverless.Orchestrations.Backends;
using Serverless.Orchestrations.Backends.AzureStorage;
using Serverless.Orchestrations.Core;
using Serverless.TestSupport;

namespace Serverless.Orchestrations.Tests.AzureStorage;

/// <summary>
/// What is particular to the Azure Storage backend, beyond the shared suite: commit-order
/// recovery, fencing, partitions, large payloads.
/// </summary>
public sealed class AzureStorageBackendTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly DateTime Now = DateTime.UtcNow;

    [Fact]
    public async Task A_crash_after_the_history_commit_leaves_an_outbox_that_the_next_owner_sends_without_repeating_the_turn()
    {
        var hub = TestHubs.NewHubName();
        var first = new AzureStorageOrchestrationBackend(TestHubs.Options(azurite.ConnectionString, hub, workerId: "first", visibility: TimeSpan.FromSeconds(2)));
        await first.CreateTaskHubAsync();
        await first.CreateOrchestrationInstanceAsync(Start("outbox-1"));
        var item = await TestHubs.FetchAsync(first.GetOrchestrationWorkItemAsync);
        first.CrashPoint = step =>
        {
            if (step == "history-committed")
                throw new SimulatedCrashException();
        };

        await Assert.ThrowsAsync<SimulatedCrashException>(() => first.CompleteOrchestrationWorkItemAsync(item, FirstTurn(item, "outbox-1")));

        // What the crash left: the turn in history, its activity unsent, the input not deleted, the status row behind.
        Assert.Equal(3, (await first.GetHistoryAsync("outbox-1")).Count);
        Assert.Null(await first.GetActivityWorkItemAsync());
        await first.StopAsync(); // hands the partition over; the locked input reappears after its 2 s visibility timeout

        await using var second = new AzureStorageOrchestrationBackend(TestHubs.Options(azurite.ConnectionString, hub, workerId: "second", visibility: TimeSpan.FromSeconds(2)));
        var clock = Stopwatch.StartNew();
        ActivityWorkItem? activity = null;
        while (activity is null && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            // The redelivered start message is recognised as consumed: no work item for it.
            Assert.Null(await second.GetOrchestrationWorkItemAsync());
            activity = await second.GetActivityWorkItemAsync();
            await Task.Delay(50);
        }

        Assert.NotNull(activity);
        Assert.Equal("outbox-1:e1:0", activity.Request.MessageId);
        Assert.Equal(3, (await second.GetHistoryAsync("outbox-1")).Count);
        Assert.Single((await second.GetHistoryAsync("outbox-1")).OfType<ExecutionStartedEvent>());
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await second.GetInstanceAsync("outbox-1", false))?.RuntimeStatus);
        Assert.Empty(await RowsAsync(hub, "outbox-1", TableKeys.OutboxPrefix));
        var controlQueue = new QueueClient(azurite.ConnectionString, second.Names.ControlQueue(second.PartitionOf("outbox-1")));
        Assert.Equal(0, (await controlQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task A_result_delivered_twice_is_recorded_once()
    {
        await using var backend = new AzureStorageOrchestrationBackend(TestHubs.Options(azurite.ConnectionString));
        await backend.CreateTaskHubAsync();
        await backend.CreateOrchestrationInstanceAsync(Start("dup-1"));
        var item = await TestHubs.FetchAsync(backend.GetOrchestrationWorkItemAsync);
        await backend.CompleteOrchestrationWorkItemAsync(item, FirstTurn(item, "dup-1"));
        var activity = await TestHubs.FetchAsync(backend.GetActivityWorkItemAsync);
        var result = new OrchestrationMessage("dup-1:e1:0:result", "dup-1", new TaskCompletedEvent(-1, Now, 0, "\"done\"")) { TargetExecutionId = "e1" };
        await backend.CompleteActivityWorkItemAsync(activity, result);
        var completion = await TestHubs.FetchAsync(backend.GetOrchestrationWorkItemAsync);
        await backend.CompleteOrchestrationWorkItemAsync(completion, new OrchestrationTurn
        {
            ExecutionId = "e1",
            NewHistory = [new OrchestratorStartedEvent(-1, Now), completion.Messages[0].Event],
        });

        // The activity ran again elsewhere (its lock expired) and sent its result again, under the same id and under another.
        await backend.SendMessageAsync(result);
        await backend.SendMessageAsync(result with { MessageId = "dup-1:e1:0:result-again" });
        await backend.SendMessageAsync(new OrchestrationMessage("dup-1:event", "dup-1", new EventRaisedEvent(-1, Now, "go", null)));
        var next = await TestHubs.FetchAsync(backend.GetOrchestrationWorkItemAsync);

        Assert.Equal("go", Assert.IsType<EventRaisedEvent>(Assert.Single(next.Messages).Event).Name);
    }

    [Fact]
    public async Task A_writer_whose_history_changed_since_it_loaded_cannot_commit()
    {
        await using var backend = new AzureStorageOrchestrationBackend(TestHubs.Options(azurite.ConnectionString));
        await backend.CreateTaskHubAsync();
        var history = backend.History;
        TableEntity Sentinel(int count) => new(TableKeys.Escape("fence-2"), TableKeys.Sentinel) { ["HistoryCount"] = count, ["ExecutionId"] = "e1", ["Turn"] = (long)count };
        async Task<List<TableEntity>> Rows(int start, int count) => await history.BuildRowsAsync("fence-2", start,
            Enumerable.Range(0, count).Select(i => (HistoryEvent)new EventRaisedEvent(-1, Now, $"e{start + i}", null)).ToArray(), "e1", [], "t", [], CancellationToken.None);

        var created = await history.CommitAsync(null, Sentinel(1), await Rows(0, 1), [], CancellationToken.None);
        await Assert.ThrowsAsync<LockLostException>(async () => await history.CommitAsync(null, Sentinel(1), await Rows(0, 1), [], CancellationToken.None));
        // Two writers loaded version `created`; the first commits 250 events (three transactions), the second is fenced off.
        await history.CommitAsync(created, Sentinel(251), await Rows(1, 250), [], CancellationToken.None);
        await Assert.ThrowsAsync<LockLostException>(async () => await history.CommitAsync(created, Sentinel(2), await Rows(1, 1), [], CancellationToken.None));

        var events = await backend.GetHistoryAsync("fence-2");
        Assert.Equal(Enumerable.Range(0, 251).Select(i => $"e{i}"), events.Cast<EventRaisedEvent>().Select(e => e.Name));
    }

    [Fact]
    public async Task Payloads_over_the_threshold_go_through_blobs_and_are_purged_with_the_instance()
    {
        var big = "\"" + new string('x', 200_000) + "\"";
        await using var backend = new AzureStorageOrchestrationBackend(TestHubs.Options(azurite.ConnectionString));
        await backend.CreateTaskHubAsync();
        Assert.True(await backend.CreateOrchestrationInstanceAsync(Start("big/1", input: big)));
        Assert.Equal(big, (await backend.GetInstanceAsync("big/1", includePayloads: true))?.Input);

        var item = await TestHubs.FetchAsync(backend.GetOrchestrationWorkItemAsync);
        Assert.Equal(big, ((ExecutionStartedEvent)item.Messages[0].Event).Input);
        await backend.CompleteOrchestrationWorkItemAsync(item, FirstTurn(item, "big/1", input: big));
        var activity = await TestHubs.FetchAsync(backend.GetActivityWorkItemAsync);
        Assert.Equal(big, activity.Request.Input);
        await backend.CompleteActivityWorkItemAsync(activity, new OrchestrationMessage("big/1:e1:0:result", "big/1", new TaskCompletedEvent(-1, Now, 0, big)));
        var completion = await TestHubs.FetchAsync(backend.GetOrchestrationWorkItemAsync);
        Assert.Equal(big, ((TaskCompletedEvent)completion.Messages[0].Event).Result);
        await backend.CompleteOrchestrationWorkItemAsync(completion, new OrchestrationTurn
        {
            ExecutionId = "e1",
            NewHistory = [new OrchestratorStartedEvent(-1, Now), completion.Messages[0].Event, new ExecutionCompletedEvent(-1, Now, OrchestrationRuntimeStatus.Completed, big)],
            State = State("big/1", OrchestrationRuntimeStatus.Completed, input: big) with { Output = big, CustomStatus = big },
        });

        var done = await backend.GetInstanceAsync("big/1", includePayloads: true);
        Assert.Equal((big, big, big), (done?.Input, done?.Output, done?.CustomStatus));
        Assert.All((await backend.GetHistoryAsync("big/1")).Skip(1).OfType<TaskCompletedEvent>(), e => Assert.Equal(big, e.Result));
        var payloads = new BlobContainerClient(azurite.ConnectionString, backend.Names.PayloadContainer);
        Assert.NotEmpty(await BlobsAsync(payloads, "big%2F1/"));

        Assert.True(await backend.PurgeInstanceAsync("big/1"));
        Assert.Empty(await BlobsAsync(payloads, "big%2F1/"));
        Assert.Null(await backend.GetInstanceAsync("big/1", false));
        Assert.Empty(await backend.GetHistoryAsync("big/1"));
    }

    [Fact]
    public async Task Partitions_are_shared_by_live_workers_and_handed_over_on_stop()
    {
        var hub = TestHubs.NewHubName();
        await using var first = new AzureStorageOrchestrationBackend(TestHubs.Options(azurite.ConnectionString, hub, workerId: "first"));
        await using var second = new AzureStorageOrchestrationBackend(TestHubs.Options(azurite.ConnectionString, hub, workerId: "second"));
        await first.StartAsync();
        Assert.Equal([0, 1, 2, 3], first.OwnedPartitions);

        await second.StartAsync();
        for (var cycle = 0; cycle < 6 && second.OwnedPartitions.Count < 2; cycle++)
        {
            await second.RebalancePartitionsAsync();
            await first.RebalancePartitionsAsync();
        }

        Assert.Equal(2, second.OwnedPartitions.Count);
        Assert.Equal(2, first.OwnedPartitions.Count);
        Assert.Empty(first.OwnedPartitions.Intersect(second.OwnedPartitions));
        var leases = await first.GetPartitionLeasesAsync();
        Assert.All(first.OwnedPartitions, p => Assert.Equal("first", leases[p].Owner));
        Assert.All(second.OwnedPartitions, p => Assert.Equal("second", leases[p].Owner));

        await first.StopAsync();
        Assert.Empty(first.OwnedPartitions);
        await second.RebalancePartitionsAsync();
        Assert.Equal([0, 1, 2, 3], second.OwnedPartitions);
    }

    private static OrchestrationMessage Start(string instanceId, string? input = "1") =>
        new($"{instanceId}:start", instanceId, new ExecutionStartedEvent(-1, Now, "Any", instanceId, "e1", input));

    private static OrchestrationState State(string instanceId, OrchestrationRuntimeStatus status, string? input = "1") => new()
    {
        InstanceId = instanceId,
        ExecutionId = "e1",
        Name = "Any",
        RuntimeStatus = status,
        Input = input,
        CreatedAt = Now,
        LastUpdatedAt = DateTime.UtcNow,
    };

    /// <summary>A first turn: started, one activity scheduled.</summary>
    private static OrchestrationTurn FirstTurn(OrchestrationWorkItem item, string instanceId, string? input = "\"x\"") => new()
    {
        ExecutionId = "e1",
        ReplacesHistory = true,
        NewHistory = [new OrchestratorStartedEvent(-1, Now), item.Messages[0].Event, new TaskScheduledEvent(0, Now, "Work", input)],
        NewActivities = [new ActivityRequest($"{instanceId}:e1:0", instanceId, "e1", 0, "Work", input)],
        State = State(instanceId, OrchestrationRuntimeStatus.Running, input: ((ExecutionStartedEvent)item.Messages[0].Event).Input),
    };

    private async Task<List<TableEntity>> RowsAsync(string hub, string instanceId, string rowKeyPrefix)
    {
        var table = new TableClient(azurite.ConnectionString, hub + "History");
        var rows = new List<TableEntity>();
        var pk = TableKeys.Escape(instanceId);
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == pk))
        {
            if (row.RowKey.StartsWith(rowKeyPrefix, StringComparison.Ordinal))
                rows.Add(row);
        }
        return rows;
    }

    private static async Task<List<BlobItem>> BlobsAsync(BlobContainerClient container, string prefix)
    {
        var blobs = new List<BlobItem>();
        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }))
            blobs.Add(blob);
        return blobs;
    }

    private sealed class SimulatedCrashException() : Exception("Simulated process death between two commit steps.");
}
