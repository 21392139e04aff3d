using System.Diagnostics;
using Serverless.Orchestrations.Core;
using Serverless.Orchestrations.Worker;

namespace Serverless.Orchestrations.Tests.InMemory;

/// <summary>
/// Pollers that sleep 30 s whenever they find nothing: each hop of a job (client start, turn,
/// activity, sub-orchestration, timer, raised event) must wake them, or it waits out the 30 s.
/// The bound (10 s) is far above the real time (well under a second) and far below one missed
/// wake-up, so these tests do not depend on the machine's speed.
/// </summary>
public sealed partial class InMemoryOrchestrationBehaviorTests
{
    private static readonly TimeSpan LongIdleSleep = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WellUnderOneSleep = TimeSpan.FromSeconds(10);

    private static void SleepLongWhenIdle(DurableTaskOptions options)
    {
        options.StorageProvider.MinQueuePollingInterval = LongIdleSleep;
        options.StorageProvider.MaxQueuePollingInterval = LongIdleSleep;
    }

    [Fact]
    public async Task A_chain_of_activities_and_a_sub_orchestration_does_not_wait_out_idle_polling()
    {
        await StartWorkerAsync(r => r
            .AddActivityFunc<int, int>("Increment", (_, x) => x + 1)
            .AddOrchestratorFunc<int, int>("IncrementTwice", async (ctx, x) =>
                await ctx.CallActivityAsync<int>("Increment", await ctx.CallActivityAsync<int>("Increment", x)))
            .AddOrchestratorFunc<int, int>("Chain", async (ctx, x) =>
            {
                for (var i = 0; i < 5; i++)
                    x = await ctx.CallActivityAsync<int>("Increment", x);
                return await ctx.CallSubOrchestratorAsync<int>("IncrementTwice", x);
            }), SleepLongWhenIdle);
        await Task.Delay(300); // both pollers find their queues empty and go to sleep

        var clock = Stopwatch.StartNew();
        var result = await RunAsync("Chain", 0);
        clock.Stop();

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(7, result.ReadOutputAs<int>());
        Assert.True(clock.Elapsed < WellUnderOneSleep, $"the chain took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_due_timer_and_a_raised_event_wake_sleeping_pollers()
    {
        await StartWorkerAsync(r => r.AddOrchestratorFunc<object?, string>("TimerThenEvent", async (ctx, _) =>
        {
            await ctx.CreateTimer(TimeSpan.FromMilliseconds(500), CancellationToken.None);
            return await ctx.WaitForExternalEvent<string>("go");
        }), SleepLongWhenIdle);
        await Task.Delay(300);

        var clock = Stopwatch.StartNew();
        var id = await Client.ScheduleNewOrchestrationInstanceAsync("TimerThenEvent");
        await WaitUntilAsync(async () => (await Client.GetHistoryAsync(id)).OfType<TimerFiredEvent>().Any(), "the timer to fire");
        var timerFiredAfter = clock.Elapsed;
        await Task.Delay(300); // the poller sleeps again before the event comes
        clock.Restart();
        await Client.RaiseEventAsync(id, "go", "went");
        var result = await WaitForCompletionAsync(id);
        clock.Stop();

        Assert.Equal("went", result.ReadOutputAs<string>());
        Assert.True(timerFiredAfter >= TimeSpan.FromMilliseconds(500), $"the timer fired after {timerFiredAfter}");
        Assert.True(timerFiredAfter < WellUnderOneSleep, $"the timer fired after {timerFiredAfter}");
        Assert.True(clock.Elapsed < WellUnderOneSleep, $"the event took {clock.Elapsed} to be handled");
    }
}
