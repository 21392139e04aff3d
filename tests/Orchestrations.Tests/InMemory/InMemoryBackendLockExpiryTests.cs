using Serverless.Orchestrations.Backends;
using Serverless.Orchestrations.Backends.InMemory;
using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Tests.InMemory;

/// <summary>Lock expiry of the in-memory backend, on a clock the test moves.</summary>
public sealed class InMemoryBackendLockExpiryTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task An_expired_lock_is_lost_and_the_work_is_delivered_again()
    {
        var clock = new ManualClock();
        var backend = new InMemoryOrchestrationBackend(new InMemoryBackendOptions
        {
            OrchestrationLockTimeout = TimeSpan.FromSeconds(10),
            ActivityLockTimeout = TimeSpan.FromSeconds(10),
            TimeProvider = clock,
        });
        await backend.CreateOrchestrationInstanceAsync(new OrchestrationMessage("s", "i1",
            new ExecutionStartedEvent(-1, clock.Now.UtcDateTime, "O", "i1", "e1", null)));
        var first = (await backend.GetOrchestrationWorkItemAsync())!;

        clock.Now += TimeSpan.FromSeconds(5);
        await backend.RenewOrchestrationWorkItemLockAsync(first);
        clock.Now += TimeSpan.FromSeconds(9);
        Assert.Null(await backend.GetOrchestrationWorkItemAsync()); // renewed: still locked
        clock.Now += TimeSpan.FromSeconds(2);
        var second = await backend.GetOrchestrationWorkItemAsync();

        Assert.NotNull(second);
        Assert.Equal(2, second.DequeueCount);
        await Assert.ThrowsAsync<LockLostException>(() => backend.CompleteOrchestrationWorkItemAsync(first,
            new OrchestrationTurn { ExecutionId = "e1", NewHistory = [], NewActivities = [new ActivityRequest("a", "i1", "e1", 0, "A", null)] }));
        await backend.CompleteOrchestrationWorkItemAsync(second,
            new OrchestrationTurn { ExecutionId = "e1", NewHistory = [], NewActivities = [new ActivityRequest("a", "i1", "e1", 0, "A", null)] });

        var activity = (await backend.GetActivityWorkItemAsync())!;
        clock.Now += TimeSpan.FromSeconds(11);
        var redelivered = await backend.GetActivityWorkItemAsync();
        Assert.NotNull(redelivered);
        Assert.Equal(2, redelivered.DequeueCount);
        await Assert.ThrowsAsync<LockLostException>(() => backend.RenewActivityWorkItemLockAsync(activity));
    }
}
