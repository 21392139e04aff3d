using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Tests.Behavior;

public abstract partial class OrchestrationBehaviorTests
{
    [Fact]
    public async Task Sequence_of_activities_chains_results_in_order()
    {
        await StartWorkerAsync(r => r
            .AddActivityFunc<string, string>("Hello", (_, city) => $"Hello {city}!")
            .AddOrchestratorFunc<object?, List<string>>("Greetings", async (ctx, _) =>
            [
                await ctx.CallActivityAsync<string>("Hello", "Tokyo"),
                await ctx.CallActivityAsync<string>("Hello", "Seattle"),
                await ctx.CallActivityAsync<string>("Hello", "London"),
            ]));

        var result = await RunAsync("Greetings");

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(["Hello Tokyo!", "Hello Seattle!", "Hello London!"], result.ReadOutputAs<List<string>>());
        var history = await Client.GetHistoryAsync(result.InstanceId);
        Assert.Equal(["Hello", "Hello", "Hello"], history.OfType<TaskScheduledEvent>().Select(e => e.Name));
        Assert.Equal([0, 1, 2], history.OfType<TaskCompletedEvent>().Select(e => e.TaskScheduledId));
    }

    [Fact]
    public async Task Fan_out_fan_in_of_1000_activities_returns_every_result_once()
    {
        var invocations = 0;
        await StartWorkerAsync(r => r
            .AddActivityFunc<int, int>("Double", (_, x) =>
            {
                Interlocked.Increment(ref invocations);
                return x * 2;
            })
            .AddOrchestratorFunc<int, long>("FanOut", async (ctx, n) =>
            {
                var results = await Task.WhenAll(Enumerable.Range(1, n).Select(i => ctx.CallActivityAsync<int>("Double", i)));
                return results.Sum(x => (long)x);
            }));

        var result = await RunAsync("FanOut", 1000);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(1000L * 1001, result.ReadOutputAs<long>());
        Assert.Equal(1000, invocations);
        var history = await Client.GetHistoryAsync(result.InstanceId);
        Assert.Equal(1000, history.OfType<TaskScheduledEvent>().Count());
        Assert.Equal(1000, history.OfType<TaskCompletedEvent>().Select(e => e.TaskScheduledId).Distinct().Count());
        // Completions that arrive together are folded into one turn.
        Assert.True(history.OfType<OrchestratorStartedEvent>().Count() < 1000, "every completion ran its own turn");
    }

    [Fact]
    public async Task Sub_orchestrations_run_with_the_given_instance_id_and_return_outputs()
    {
        await StartWorkerAsync(r => r
            .AddActivityFunc<int, int>("Square", (_, x) => x * x)
            .AddOrchestratorFunc<int, int>("Child", async (ctx, x) => await ctx.CallActivityAsync<int>("Square", x) + 1)
            .AddOrchestratorFunc<int, int>("Parent", async (ctx, n) =>
            {
                var children = Enumerable.Range(1, n).Select(i =>
                    ctx.CallSubOrchestratorAsync<int>("Child", i, new SubOrchestrationOptions($"{ctx.InstanceId}-child-{i}")));
                return (await Task.WhenAll(children)).Sum();
            }));

        var result = await RunAsync("Parent", 5, instanceId: "parent-1");

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(1 + 4 + 9 + 16 + 25 + 5, result.ReadOutputAs<int>());
        var child = await Client.GetInstanceAsync("parent-1-child-3", getInputsAndOutputs: true);
        Assert.NotNull(child);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, child.RuntimeStatus);
        Assert.Equal(10, child.ReadOutputAs<int>());
    }

    [Fact]
    public async Task Deterministic_apis_give_the_same_values_on_replay()
    {
        await StartWorkerAsync(r => r
            .AddActivityFunc<int, int>("Echo", (_, x) => x)
            .AddOrchestratorFunc<object?, string[]>("Guids", async (ctx, _) =>
            {
                var first = ctx.NewGuid();
                var startedAt = ctx.CurrentUtcDateTime;
                await ctx.CallActivityAsync<int>("Echo", 1);
                var replayed = ctx.NewGuid();
                return [first.ToString(), replayed.ToString(), startedAt.ToString("o")];
            }), o => o.MaxCachedOrchestrations = 0);

        var result = await RunAsync("Guids");

        var values = result.ReadOutputAs<string[]>()!;
        Assert.NotEqual(values[0], values[1]);
        Assert.Equal('5', values[0][14]); // UUID version 5
        var expected = DeterministicGuid.Create(DeterministicGuid.OrchestrationNamespace, $"{result.InstanceId}_{values[2]}_0");
        Assert.Equal(expected.ToString(), values[0]);
    }
}
