namespace Serverless.Orchestrations.Tests.Behavior;

public abstract partial class OrchestrationBehaviorTests
{
    [Fact]
    public async Task External_events_are_delivered_whether_raised_before_or_after_the_wait()
    {
        await StartWorkerAsync(r => r
            .AddActivityFunc<object?, int>("Nothing", (_, _) => 0)
            .AddOrchestratorFunc<object?, string>("TwoEvents", async (ctx, _) =>
            {
                ctx.SetCustomStatus("waiting");
                var first = await ctx.WaitForExternalEvent<string>("first");
                // "second" was raised long before this wait: it must have been buffered.
                await ctx.CallActivityAsync<int>("Nothing");
                var second = await ctx.WaitForExternalEvent<string>("second");
                return first + "+" + second;
            }));
        var id = await Client.ScheduleNewOrchestrationInstanceAsync("TwoEvents");
        await WaitUntilAsync(async () => (await Client.GetInstanceAsync(id))?.ReadCustomStatusAs<string>() == "waiting", "the instance to wait");

        await Client.RaiseEventAsync(id, "second", "B");
        await Client.RaiseEventAsync(id, "First", "A"); // names are case-insensitive
        var result = await WaitForCompletionAsync(id);

        Assert.Equal("A+B", result.ReadOutputAs<string>());
    }

    [Fact]
    public async Task Custom_status_is_visible_while_running_and_after_completion()
    {
        await StartWorkerAsync(r => r.AddOrchestratorFunc<object?, int>("Progress", async (ctx, _) =>
        {
            ctx.SetCustomStatus(new ProgressStatus(1, 3));
            await ctx.WaitForExternalEvent<object>("go");
            ctx.SetCustomStatus(new ProgressStatus(3, 3));
            return 3;
        }));
        var id = await Client.ScheduleNewOrchestrationInstanceAsync("Progress");

        await WaitUntilAsync(async () => (await Client.GetInstanceAsync(id))?.ReadCustomStatusAs<ProgressStatus>()?.Done == 1, "progress 1/3");
        var running = await Client.GetInstanceAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Running, running!.RuntimeStatus);
        await Client.RaiseEventAsync(id, "go");
        var done = await WaitForCompletionAsync(id);

        Assert.Equal(new ProgressStatus(3, 3), done.ReadCustomStatusAs<ProgressStatus>());
        Assert.True(done.LastUpdatedAt >= done.CreatedAt);
    }

    [Fact]
    public async Task Continue_as_new_keeps_events_that_arrive_together_and_resets_history()
    {
        await StartWorkerAsync(r => r.AddOrchestratorFunc<int[], int>("Accumulate", async (ctx, state) =>
        {
            // state = [sum, count]
            var value = await ctx.WaitForExternalEvent<int>("add");
            var (sum, count) = (state[0] + value, state[1] + 1);
            if (count < 20)
            {
                ctx.ContinueAsNew(new[] { sum, count });
                return -1;
            }
            return sum;
        }));
        var id = await Client.ScheduleNewOrchestrationInstanceAsync("Accumulate", new[] { 0, 0 });

        for (var i = 1; i <= 20; i++)
            await Client.RaiseEventAsync(id, "add", i);
        var result = await WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(210, result.ReadOutputAs<int>());
        Assert.Equal(new[] { 190, 19 }, result.ReadInputAs<int[]>());
        var history = await Client.GetHistoryAsync(id);
        Assert.True(history.Count < 10, $"history of the last execution only, got {history.Count} events");
    }

    private sealed record ProgressStatus(int Done, int Total);
}
