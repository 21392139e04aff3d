using Serverless.Orchestrations.Backends;
using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Tests.Behavior;

/// <summary>The backend contract itself, driven through the interface without a worker.</summary>
public abstract partial class OrchestrationBehaviorTests
{
    private static OrchestrationMessage Start(string instanceId, string name = "Any") =>
        new($"{instanceId}:start", instanceId, new ExecutionStartedEvent(-1, DateTime.UtcNow, name, instanceId, "e1", "1"));

    private static OrchestrationMessage Raise(string instanceId, string name, DateTime? visibleAt = null) =>
        new($"{instanceId}:{name}", instanceId, new EventRaisedEvent(-1, DateTime.UtcNow, name, null)) { VisibleAtUtc = visibleAt };

    private async Task<OrchestrationWorkItem> FetchOrchestrationAsync()
    {
        OrchestrationWorkItem? item = null;
        await WaitUntilAsync(async () => (item = await Backend.Backend.GetOrchestrationWorkItemAsync()) is not null, "an orchestration work item");
        return item!;
    }

    private async Task<ActivityWorkItem> FetchActivityAsync()
    {
        ActivityWorkItem? item = null;
        await WaitUntilAsync(async () => (item = await Backend.Backend.GetActivityWorkItemAsync()) is not null, "an activity work item");
        return item!;
    }

    [Fact]
    public async Task Backend_locks_an_instance_and_folds_its_messages_into_one_work_item()
    {
        var backend = Backend.Backend;
        Assert.True(await backend.CreateOrchestrationInstanceAsync(Start("lock-1")));
        Assert.False(await backend.CreateOrchestrationInstanceAsync(Start("lock-1")));
        await backend.SendMessageAsync(Raise("lock-1", "a"));

        var item = await FetchOrchestrationAsync();
        await backend.SendMessageAsync(Raise("lock-1", "b"));

        Assert.Equal("lock-1", item.InstanceId);
        Assert.Equal(2, item.Messages.Count);
        Assert.Equal(1, item.DequeueCount);
        Assert.Null(await backend.GetOrchestrationWorkItemAsync()); // locked: "b" waits for the lock
        var turn = new OrchestrationTurn
        {
            ExecutionId = "e1",
            ReplacesHistory = true,
            NewHistory = [new OrchestratorStartedEvent(-1, DateTime.UtcNow), item.Messages[0].Event],
            NewActivities = [new ActivityRequest("lock-1:e1:0", "lock-1", "e1", 0, "Work", "\"x\"")],
        };
        var version = await backend.CompleteOrchestrationWorkItemAsync(item, turn);

        var next = await FetchOrchestrationAsync();
        Assert.Equal("b", Assert.IsType<EventRaisedEvent>(Assert.Single(next.Messages).Event).Name);
        var history = await backend.GetOrchestrationHistoryAsync(next, version);
        Assert.True(history.NotModified || history.Events!.Count == 2);
        Assert.Equal(2, (await backend.GetOrchestrationHistoryAsync(next, null)).Events!.Count);
        var activity = await FetchActivityAsync();
        Assert.Equal("Work", activity.Request.Name);
    }

    [Fact]
    public async Task Backend_abandon_redelivers_with_a_higher_dequeue_count()
    {
        var backend = Backend.Backend;
        await backend.CreateOrchestrationInstanceAsync(Start("abandon-1"));
        var first = await FetchOrchestrationAsync();
        await backend.AbandonOrchestrationWorkItemAsync(first);
        var second = await FetchOrchestrationAsync();
        Assert.Equal(2, second.DequeueCount);

        var turn = new OrchestrationTurn
        {
            ExecutionId = "e1",
            ReplacesHistory = true,
            NewHistory = [second.Messages[0].Event],
            NewActivities = [new ActivityRequest("abandon-1:e1:0", "abandon-1", "e1", 0, "Work", null)],
        };
        await backend.CompleteOrchestrationWorkItemAsync(second, turn);
        var activity = await FetchActivityAsync();
        Assert.Equal(1, activity.DequeueCount);
        await backend.AbandonActivityWorkItemAsync(activity);
        var again = await FetchActivityAsync();
        Assert.Equal(2, again.DequeueCount);
        await backend.CompleteActivityWorkItemAsync(again, new OrchestrationMessage("abandon-1:e1:0:result", "abandon-1",
            new TaskCompletedEvent(-1, DateTime.UtcNow, 0, "1")) { TargetExecutionId = "e1" });
        await Assert.ThrowsAsync<LockLostException>(() => backend.CompleteActivityWorkItemAsync(again,
            new OrchestrationMessage("dup", "abandon-1", new TaskCompletedEvent(-1, DateTime.UtcNow, 0, "1"))));
        var completion = await FetchOrchestrationAsync();
        Assert.IsType<TaskCompletedEvent>(Assert.Single(completion.Messages).Event);
    }

    [Fact]
    public async Task Backend_does_not_deliver_a_message_before_its_visible_time()
    {
        var backend = Backend.Backend;
        await backend.CreateOrchestrationInstanceAsync(Start("timer-1"));
        var start = await FetchOrchestrationAsync();
        await backend.CompleteOrchestrationWorkItemAsync(start, new OrchestrationTurn
        {
            ExecutionId = "e1",
            ReplacesHistory = true,
            NewHistory = [start.Messages[0].Event],
            NewMessages = [Raise("timer-1", "later", DateTime.UtcNow.AddMilliseconds(400))],
        });
        var sentAt = DateTime.UtcNow;

        var item = await FetchOrchestrationAsync();

        Assert.True(DateTime.UtcNow - sentAt >= TimeSpan.FromMilliseconds(350), $"delivered after {DateTime.UtcNow - sentAt}");
        Assert.Equal("later", Assert.IsType<EventRaisedEvent>(Assert.Single(item.Messages).Event).Name);
    }

    [Fact]
    public async Task Backend_refuses_to_commit_a_turn_after_the_lock_was_released()
    {
        var backend = Backend.Backend;
        await backend.CreateOrchestrationInstanceAsync(Start("fence-1"));
        var stale = await FetchOrchestrationAsync();
        await backend.AbandonOrchestrationWorkItemAsync(stale);
        var current = await FetchOrchestrationAsync();

        await Assert.ThrowsAsync<LockLostException>(() => backend.CompleteOrchestrationWorkItemAsync(stale, new OrchestrationTurn
        {
            ExecutionId = "e1",
            ReplacesHistory = true,
            NewHistory = [new ExecutionCompletedEvent(-1, DateTime.UtcNow, OrchestrationRuntimeStatus.Completed, "\"stale\"")],
        }));
        Assert.Empty(await Backend.Queries.GetHistoryAsync("fence-1"));
        await backend.CompleteOrchestrationWorkItemAsync(current, new OrchestrationTurn { ExecutionId = "e1", ReplacesHistory = true, NewHistory = [current.Messages[0].Event] });
        Assert.Single(await Backend.Queries.GetHistoryAsync("fence-1"));
    }
}
