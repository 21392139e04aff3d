using Serverless.Orchestrations.Backends;
using Serverless.Orchestrations.Backends.AzureStorage;
using Serverless.Orchestrations.Core;
using Serverless.TestSupport;

namespace Serverless.Orchestrations.Tests.AzureStorage;

/// <summary>
/// A wide fan-out goes to the work-item queue in packs of several requests a message
/// (<see cref="WorkItemPacking"/>): each request is still handed out, settled, abandoned and
/// counted toward the poison limit on its own.
/// </summary>
public sealed class AzureStorageWorkItemPackTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const int Activities = 40;

    // 40 activities with at least 4 messages a turn: 4 packs of 10.
    private const int Messages = 4;

    private static readonly TimeSpan Visibility = TimeSpan.FromSeconds(2);

    [Fact]
    public void Pack_size_leaves_a_narrow_fan_out_unpacked_and_caps_a_wide_one()
    {
        var options = TestHubs.Options("UseDevelopmentStorage=true");
        Assert.Equal(1, WorkItemPacking.PackSize(16, options));
        Assert.Equal(1, WorkItemPacking.PackSize(127, options));
        Assert.Equal(2, WorkItemPacking.PackSize(128, options));
        Assert.Equal(32, WorkItemPacking.PackSize(5000, options));
        Assert.Equal([32, 32, 8], WorkItemPacking.Pack(Requests("p", 72), TestHubs.Options("UseDevelopmentStorage=true", minWorkItemMessagesPerTurn: 2)).Select(p => p.Length));
    }

    [Fact]
    public async Task A_wide_fan_out_is_sent_in_packs_and_every_request_is_handed_out_once_then_gone()
    {
        var backend = await StartAsync(TestHubs.NewHubName(), "one");
        await ScheduleFanOutAsync(backend, "pack-1");

        var items = await FetchAllAsync(backend, Activities);
        Assert.Equal(Activities, items.Select(i => i.Request.MessageId).Distinct().Count());
        Assert.All(items, i => Assert.Equal(1, i.DequeueCount));
        Assert.Equal(Messages, items.Select(MessageOf).Distinct().Count());
        Assert.All(items.GroupBy(MessageOf), pack => Assert.Equal(Activities / Messages, pack.Count()));

        await CompleteAllAsync(backend, items);
        await ExpectNothingBackThenStopAsync(backend);
    }

    [Fact]
    public async Task A_pack_delivered_again_is_split_into_single_requests_that_count_the_lost_delivery()
    {
        var hub = TestHubs.NewHubName();
        var dead = await StartAsync(hub, "dead");
        await ScheduleFanOutAsync(dead, "pack-2");
        var taken = await TestHubs.FetchAsync(dead.GetActivityWorkItemAsync); // the worker "dies" holding a pack (and the rest buffered)
        Assert.Equal(1, taken.DequeueCount);

        var survivor = await StartAsync(hub, "survivor");
        var items = await FetchAllAsync(survivor, Activities);
        Assert.Equal(Activities, items.Select(i => i.Request.MessageId).Distinct().Count());
        Assert.All(items, i => Assert.Equal(2, i.DequeueCount));
        Assert.Equal(Activities, items.Select(MessageOf).Distinct().Count());
        await CompleteAllAsync(survivor, items);
        await ExpectNothingBackThenStopAsync(survivor);
    }

    [Fact]
    public async Task One_request_of_a_pack_handed_back_returns_alone_and_the_pack_is_deleted_after_the_rest()
    {
        var backend = await StartAsync(TestHubs.NewHubName(), "one");
        await ScheduleFanOutAsync(backend, "pack-3");
        var items = await FetchAllAsync(backend, Activities);
        var handedBack = items[0];

        await backend.AbandonActivityWorkItemAsync(handedBack);
        var again = await TestHubs.FetchAsync(backend.GetActivityWorkItemAsync);
        Assert.Equal(handedBack.Request.MessageId, again.Request.MessageId);
        Assert.Equal(2, again.DequeueCount);
        Assert.NotSame(MessageOf(handedBack), MessageOf(again));

        await CompleteAllAsync(backend, items.Skip(1).Append(again));
        await Assert.ThrowsAsync<LockLostException>(() => backend.CompleteActivityWorkItemAsync(handedBack, ResultOf(handedBack)));
        await ExpectNothingBackThenStopAsync(backend);
    }

    [Fact]
    public async Task Once_it_has_seen_packs_a_worker_takes_fewer_messages_so_other_workers_get_the_rest()
    {
        var hub = TestHubs.NewHubName();
        // Locks that outlast the test: nothing may reach the second worker by expiring.
        var first = await StartAsync(hub, "first", prefetch: Activities / Messages, visibility: TimeSpan.FromMinutes(1));
        await ScheduleFanOutAsync(first, "pack-4");
        // The first receive takes the prefetch count in messages (all four packs): packs are news to it.
        await CompleteAllAsync(first, await FetchAllAsync(first, Activities));

        await ScheduleFanOutAsync(first, "pack-5");
        var taken = await TestHubs.FetchAsync(first.GetActivityWorkItemAsync);
        var second = await StartAsync(hub, "second", prefetch: Activities / Messages, visibility: TimeSpan.FromMinutes(1));
        var rest = await FetchAllAsync(second, Activities - (Activities / Messages));

        Assert.DoesNotContain(rest, i => MessageOf(i) == MessageOf(taken));
        Assert.All(rest, i => Assert.Equal(1, i.DequeueCount));
        Assert.Equal(Activities - (Activities / Messages), rest.Select(i => i.Request.MessageId).Distinct().Count());
        await first.StopAsync();
        await second.StopAsync();
    }

    private async Task<AzureStorageOrchestrationBackend> StartAsync(string hub, string worker, int prefetch = 32, TimeSpan? visibility = null)
    {
        var backend = new AzureStorageOrchestrationBackend(TestHubs.Options(azurite.ConnectionString, hub, workerId: worker, visibility: visibility ?? Visibility, minWorkItemMessagesPerTurn: Messages, activityPrefetchCount: prefetch));
        await backend.StartAsync();
        return backend;
    }

    private static async Task ScheduleFanOutAsync(AzureStorageOrchestrationBackend backend, string instanceId)
    {
        await backend.CreateOrchestrationInstanceAsync(new OrchestrationMessage($"{instanceId}:start", instanceId,
            new ExecutionStartedEvent(-1, DateTime.UtcNow, "FanOut", instanceId, "e1", "1")));
        var start = await TestHubs.FetchAsync(backend.GetOrchestrationWorkItemAsync);
        var requests = Requests(instanceId, Activities);
        await backend.CompleteOrchestrationWorkItemAsync(start, new OrchestrationTurn
        {
            ExecutionId = "e1",
            ReplacesHistory = true,
            NewHistory = [new OrchestratorStartedEvent(-1, DateTime.UtcNow), start.Messages[0].Event,
                .. requests.Select(r => new TaskScheduledEvent(r.TaskId, DateTime.UtcNow, r.Name, r.Input))],
            NewActivities = requests,
        });
    }

    private static ActivityRequest[] Requests(string instanceId, int count) =>
        Enumerable.Range(0, count).Select(i => new ActivityRequest($"{instanceId}:e1:{i}", instanceId, "e1", i, "Work", i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();

    private static OrchestrationMessage ResultOf(ActivityWorkItem item) =>
        new($"{item.Request.MessageId}:result", item.Request.InstanceId, new TaskCompletedEvent(-1, DateTime.UtcNow, item.Request.TaskId, item.Request.Input))
        {
            TargetExecutionId = item.Request.ExecutionId,
        };

    private static async Task CompleteAllAsync(AzureStorageOrchestrationBackend backend, IEnumerable<ActivityWorkItem> items)
    {
        foreach (var item in items)
            await backend.CompleteActivityWorkItemAsync(item, ResultOf(item));
    }

    /// <summary>Every pack was deleted with its last request: nothing comes back once the locks would have expired.</summary>
    private static async Task ExpectNothingBackThenStopAsync(AzureStorageOrchestrationBackend backend)
    {
        await Task.Delay(Visibility + TimeSpan.FromSeconds(1));
        Assert.Null(await backend.GetActivityWorkItemAsync());
        await backend.StopAsync();
    }

    private static WorkItemMessage MessageOf(ActivityWorkItem item) => ((ActivityWorkItemState)item.BackendState!).Message;

    private static async Task<List<ActivityWorkItem>> FetchAllAsync(AzureStorageOrchestrationBackend backend, int count)
    {
        var items = new List<ActivityWorkItem>();
        while (items.Count < count)
            items.Add(await TestHubs.FetchAsync(backend.GetActivityWorkItemAsync));
        return items;
    }
}
