using Serverless.Orchestrations.Client;
using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Tests.Behavior;

public abstract partial class OrchestrationBehaviorTests
{
    [Fact]
    public async Task Terminate_stops_the_instance_and_its_running_children()
    {
        await StartWorkerAsync(r => r
            .AddOrchestratorFunc<object?, string>("WaitsForever", async (ctx, _) => await ctx.WaitForExternalEvent<string>("never"))
            .AddOrchestratorFunc<object?, string>("ParentOfWaiter", async (ctx, _) =>
                await ctx.CallSubOrchestratorAsync<string>("WaitsForever", null, new SubOrchestrationOptions("waiter-child"))));
        var id = await Client.ScheduleNewOrchestrationInstanceAsync("ParentOfWaiter", null, new StartOrchestrationOptions("waiter-parent"));
        await WaitForStatusAsync("waiter-child", OrchestrationRuntimeStatus.Running);

        await Client.TerminateInstanceAsync(id, "operator said stop");
        var parent = await WaitForCompletionAsync(id);
        var child = await WaitForCompletionAsync("waiter-child");

        Assert.Equal(OrchestrationRuntimeStatus.Terminated, parent.RuntimeStatus);
        Assert.Equal("operator said stop", parent.ReadOutputAs<string>());
        Assert.Equal(OrchestrationRuntimeStatus.Terminated, child.RuntimeStatus);
    }

    [Fact]
    public async Task Purge_deletes_finished_instances_only()
    {
        await StartWorkerAsync(r => r
            .AddOrchestratorFunc<object?, int>("Quick", (_, _) => Task.FromResult(42))
            .AddOrchestratorFunc<object?, int>("Slow", async (ctx, _) => await ctx.WaitForExternalEvent<int>("done")));
        var done = await RunAsync("Quick");
        var running = await Client.ScheduleNewOrchestrationInstanceAsync("Slow");
        await WaitForStatusAsync(running, OrchestrationRuntimeStatus.Running);

        Assert.Equal(1, await Client.PurgeInstanceAsync(done.InstanceId));
        Assert.Equal(0, await Client.PurgeInstanceAsync(running));
        Assert.Equal(0, await Client.PurgeInstanceAsync("no-such-instance"));

        Assert.Null(await Client.GetInstanceAsync(done.InstanceId));
        Assert.Empty(await Client.GetHistoryAsync(done.InstanceId));
        Assert.NotNull(await Client.GetInstanceAsync(running));
    }

    [Fact]
    public async Task Purge_also_deletes_the_finished_sub_orchestrations_and_leaves_running_ones()
    {
        await StartWorkerAsync(r => r
            .AddOrchestratorFunc<int, int>("Leaf", (_, x) => Task.FromResult(x))
            .AddOrchestratorFunc<int, int>("Middle", async (ctx, x) =>
                await ctx.CallSubOrchestratorAsync<int>("Leaf", x, new SubOrchestrationOptions($"purge-leaf-{x}")))
            .AddOrchestratorFunc<object?, int>("Lingers", async (ctx, _) => await ctx.WaitForExternalEvent<int>("never"))
            .AddOrchestratorFunc<object?, int>("Root", async (ctx, _) =>
            {
                // Started and not awaited: still running when the root completes.
                _ = ctx.CallSubOrchestratorAsync<int>("Lingers", null, new SubOrchestrationOptions("purge-lingering"));
                var sums = await Task.WhenAll(
                    ctx.CallSubOrchestratorAsync<int>("Middle", 1, new SubOrchestrationOptions("purge-middle-1")),
                    ctx.CallSubOrchestratorAsync<int>("Leaf", 2, new SubOrchestrationOptions("purge-leaf-2")));
                return sums.Sum();
            }));
        var root = await RunAsync("Root", instanceId: "purge-root");
        var bystander = await RunAsync("Leaf", 3, instanceId: "purge-bystander");
        await WaitForStatusAsync("purge-lingering", OrchestrationRuntimeStatus.Running);

        var purged = await Client.PurgeInstanceAsync(root.InstanceId);

        Assert.Equal(3, root.ReadOutputAs<int>());
        Assert.Equal(4, purged);
        foreach (var id in new[] { "purge-root", "purge-middle-1", "purge-leaf-1", "purge-leaf-2" })
        {
            Assert.Null(await Client.GetInstanceAsync(id));
            Assert.Empty(await Client.GetHistoryAsync(id));
        }
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await Client.GetInstanceAsync("purge-lingering"))?.RuntimeStatus);
        Assert.NotNull(await Client.GetInstanceAsync(bystander.InstanceId));
    }

    [Fact]
    public async Task Scheduling_an_active_instance_id_again_does_not_start_it_twice()
    {
        var runs = 0;
        await StartWorkerAsync(r => r
            .AddActivityFunc<object?, int>("Count", (_, _) => Interlocked.Increment(ref runs))
            .AddOrchestratorFunc<object?, int>("Once", async (ctx, _) =>
            {
                await ctx.CallActivityAsync<int>("Count");
                return await ctx.WaitForExternalEvent<int>("finish");
            }));

        var first = await Client.ScheduleNewOrchestrationInstanceAsync("Once", null, new StartOrchestrationOptions("singleton"));
        await WaitForStatusAsync(first, OrchestrationRuntimeStatus.Running);
        var second = await Client.ScheduleNewOrchestrationInstanceAsync("Once", null, new StartOrchestrationOptions("singleton"));
        await Client.RaiseEventAsync(first, "finish", 7);
        var result = await WaitForCompletionAsync(first);

        Assert.Equal(first, second);
        Assert.Equal(7, result.ReadOutputAs<int>());
        Assert.Equal(1, runs);
        Assert.Single((await Client.GetHistoryAsync(first)).OfType<ExecutionStartedEvent>());
    }

    [Fact]
    public async Task Query_filters_by_status_and_pages_with_a_continuation_token()
    {
        await StartWorkerAsync(r => r
            .AddOrchestratorFunc<int, int>("Done", (_, x) => Task.FromResult(x))
            .AddOrchestratorFunc<object?, int>("Waiting", async (ctx, _) => await ctx.WaitForExternalEvent<int>("x")));
        for (var i = 0; i < 7; i++)
            await RunAsync("Done", i, instanceId: $"q-done-{i}");
        var waiting = await Client.ScheduleNewOrchestrationInstanceAsync("Waiting", null, new StartOrchestrationOptions("q-waiting"));
        await WaitForStatusAsync(waiting, OrchestrationRuntimeStatus.Running);

        var pages = 0;
        var completed = new List<OrchestrationMetadata>();
        var query = new OrchestrationQuery { Statuses = [OrchestrationRuntimeStatus.Completed], InstanceIdPrefix = "q-", PageSize = 3, FetchInputsAndOutputs = true };
        do
        {
            var page = await Client.QueryInstancesAsync(query);
            completed.AddRange(page.Instances);
            pages++;
            query = query with { ContinuationToken = page.ContinuationToken };
        }
        while (query.ContinuationToken is not null);

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"q-done-{i}"), completed.Select(m => m.InstanceId).Order());
        Assert.Equal(Enumerable.Range(0, 7), completed.Select(m => m.ReadOutputAs<int>()).Order());
        Assert.True(pages >= 3, $"expected at least 3 pages of 3, got {pages}");
        var running = await Client.GetAllInstancesAsync(new OrchestrationQuery { Statuses = [OrchestrationRuntimeStatus.Running] }).ToListAsync();
        Assert.Equal(["q-waiting"], running.Select(m => m.InstanceId));
    }
}
