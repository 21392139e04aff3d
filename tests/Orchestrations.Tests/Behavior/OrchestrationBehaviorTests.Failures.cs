using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Tests.Behavior;

public abstract partial class OrchestrationBehaviorTests
{
    [Fact]
    public async Task Activity_failure_reaches_the_orchestrator_with_type_message_and_stack()
    {
        await StartWorkerAsync(r => r
            .AddActivityFunc<string, string>("Explode", string (TaskActivityContext _, string message) => throw new InvalidOperationException(message))
            .AddOrchestratorFunc<object?, FailureDetails>("Catches", async (ctx, _) =>
            {
                try
                {
                    await ctx.CallActivityAsync<string>("Explode", "boom");
                    throw new Exception("unreachable");
                }
                catch (TaskFailedException failed)
                {
                    return failed.FailureDetails;
                }
            })
            .AddOrchestratorFunc<object?, string>("DoesNotCatch", (ctx, _) => ctx.CallActivityAsync<string>("Explode", "bang")));

        var caught = (await RunAsync("Catches")).ReadOutputAs<FailureDetails>()!;
        var failed = await RunAsync("DoesNotCatch");

        Assert.Equal(typeof(InvalidOperationException).FullName, caught.ErrorType);
        Assert.Equal("boom", caught.ErrorMessage);
        Assert.Contains(nameof(Activity_failure_reaches_the_orchestrator_with_type_message_and_stack), caught.StackTrace);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, failed.RuntimeStatus);
        Assert.NotNull(failed.FailureDetails);
        Assert.Equal(typeof(TaskFailedException).FullName, failed.FailureDetails.ErrorType);
        Assert.Contains("Explode", failed.FailureDetails.ErrorMessage);
        Assert.Equal(typeof(InvalidOperationException).FullName, failed.FailureDetails.InnerFailure?.ErrorType);
        Assert.Equal("bang", failed.FailureDetails.InnerFailure?.ErrorMessage);
    }

    [Fact]
    public async Task When_all_lets_the_orchestrator_see_every_failure()
    {
        await StartWorkerAsync(r => r
            .AddActivityFunc<int, int>("OddFails", (_, i) => i % 2 == 1 ? throw new ArgumentException($"item {i} is odd") : i)
            .AddOrchestratorFunc<int, string[]>("FanOutWithFailures", async (ctx, n) =>
            {
                var all = Task.WhenAll(Enumerable.Range(0, n).Select(i => ctx.CallActivityAsync<int>("OddFails", i)));
                try
                {
                    await all;
                    return [];
                }
                catch (TaskFailedException)
                {
                    return all.Exception!.InnerExceptions.Cast<TaskFailedException>().Select(e => e.FailureDetails.ErrorMessage).Order().ToArray();
                }
            }));

        var result = await RunAsync("FanOutWithFailures", 20);

        var expected = Enumerable.Range(0, 20).Where(i => i % 2 == 1).Select(i => $"item {i} is odd").Order().ToArray();
        Assert.Equal(expected, result.ReadOutputAs<string[]>());
    }

    [Fact]
    public async Task Sub_orchestration_failure_carries_the_childs_failure()
    {
        await StartWorkerAsync(r => r
            .AddOrchestratorFunc<object?, int>("FailingChild", (_, _) => throw new NotSupportedException("child cannot"))
            .AddOrchestratorFunc<object?, string?>("ParentOfFailing", async (ctx, _) =>
            {
                try
                {
                    await ctx.CallSubOrchestratorAsync<int>("FailingChild");
                    return null;
                }
                catch (TaskFailedException failed)
                {
                    return failed.FailureDetails.ErrorType + ": " + failed.FailureDetails.ErrorMessage;
                }
            }));

        var result = await RunAsync("ParentOfFailing");

        Assert.Equal($"{typeof(NotSupportedException).FullName}: child cannot", result.ReadOutputAs<string>());
    }

    [Fact]
    public async Task Non_deterministic_code_fails_the_instance_with_a_clear_error_and_keeps_its_history()
    {
        var useNewCode = false;
        void Register(DurableTaskRegistry r) => r
            .AddActivityFunc<object?, string>("StepA", (_, _) => "a")
            .AddActivityFunc<object?, string>("StepB", (_, _) => "b")
            .AddOrchestratorFunc<object?, string>("Changes", async (ctx, _) =>
            {
                await ctx.CallActivityAsync<string>(useNewCode ? "StepB" : "StepA");
                return await ctx.WaitForExternalEvent<string>("continue");
            });
        var oldWorker = await StartWorkerAsync(Register);
        var id = await Client.ScheduleNewOrchestrationInstanceAsync("Changes");
        await WaitUntilAsync(async () => (await Client.GetHistoryAsync(id)).OfType<TaskCompletedEvent>().Any(), "StepA to complete");
        var historyBefore = await Client.GetHistoryAsync(id);

        // "Deploy" changed code: a new worker that must replay the history.
        await oldWorker.StopAsync();
        useNewCode = true;
        await StartWorkerAsync(Register);
        await Client.RaiseEventAsync(id, "continue", "go");
        var result = await WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, result.RuntimeStatus);
        Assert.Equal(typeof(NonDeterministicOrchestrationException).FullName, result.FailureDetails!.ErrorType);
        Assert.Contains("activity 'StepA'", result.FailureDetails.ErrorMessage);
        Assert.Contains("activity 'StepB'", result.FailureDetails.ErrorMessage);
        var historyAfter = await Client.GetHistoryAsync(id);
        Assert.Equal(historyBefore.Select(e => e.GetType()), historyAfter.Take(historyBefore.Count).Select(e => e.GetType()));
        Assert.DoesNotContain(historyAfter, e => e is TaskScheduledEvent { Name: "StepB" });
    }

    [Fact]
    public async Task Activity_that_keeps_crashing_its_worker_ends_as_poison_message_and_the_orchestration_completes()
    {
        var invocations = 0;
        void Register(DurableTaskRegistry r) => r
            .AddActivityFunc<object?, string>("CrashesWorker", async (ctx, _) =>
            {
                Interlocked.Increment(ref invocations);
                // Never finishes: the worker is stopped under it, as if its process died.
                await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
                return "unreachable";
            })
            .AddOrchestratorFunc<object?, string>("SurvivesPoison", async (ctx, _) =>
            {
                try
                {
                    return await ctx.CallActivityAsync<string>("CrashesWorker");
                }
                catch (TaskFailedException failed)
                {
                    return failed.FailureDetails.ErrorType;
                }
            });
        var id = await Client.ScheduleNewOrchestrationInstanceAsync("SurvivesPoison");
        const int maxDequeueCount = 5;
        for (var delivery = 1; delivery <= maxDequeueCount; delivery++)
        {
            var host = await StartWorkerAsync(Register, o => o.StorageProvider.MaxDequeueCount = maxDequeueCount);
            await WaitUntilAsync(() => Volatile.Read(ref invocations) == delivery, $"delivery {delivery}");
            await host.StopAsync();
        }

        await StartWorkerAsync(Register, o => o.StorageProvider.MaxDequeueCount = maxDequeueCount);
        var result = await WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(FailureDetails.PoisonMessageErrorType, result.ReadOutputAs<string>());
        Assert.Equal(maxDequeueCount, invocations);
    }
}
