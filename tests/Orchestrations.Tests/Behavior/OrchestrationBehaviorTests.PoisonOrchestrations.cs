using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Tests.Behavior;

/// <summary>
/// Orchestration messages whose turn keeps failing (here: the orchestrator cannot be built, as
/// after a broken deploy) are delivered again after a short delay, each time with a higher
/// dequeue count; past <c>MaxDequeueCount</c> the instance fails with <c>poison_message</c>
/// instead of being retried for ever.
/// </summary>
public abstract partial class OrchestrationBehaviorTests
{
    private const int PoisonLimit = 2;

    [Fact]
    public async Task A_start_message_that_keeps_failing_ends_as_poison_message_and_the_parent_learns_of_it()
    {
        var constructions = 0;
        await StartWorkerAsync(r => r
            .AddOrchestrator("CannotBeBuilt", ITaskOrchestrator (_) =>
            {
                Interlocked.Increment(ref constructions);
                throw new InvalidOperationException("a dependency of the orchestrator is missing");
            })
            .AddOrchestratorFunc<object?, string>("ParentOfUnbuildable", async (ctx, _) =>
            {
                try
                {
                    return await ctx.CallSubOrchestratorAsync<string>("CannotBeBuilt", null, new SubOrchestrationOptions("unbuildable-child"));
                }
                catch (TaskFailedException failed)
                {
                    return failed.FailureDetails.ErrorType;
                }
            }), o => o.StorageProvider.MaxDequeueCount = PoisonLimit);

        var parent = await RunAsync("ParentOfUnbuildable");
        var child = await WaitForCompletionAsync("unbuildable-child");

        Assert.Equal(OrchestrationRuntimeStatus.Completed, parent.RuntimeStatus);
        Assert.Equal(FailureDetails.PoisonMessageErrorType, parent.ReadOutputAs<string>());
        Assert.Equal(OrchestrationRuntimeStatus.Failed, child.RuntimeStatus);
        Assert.Equal(FailureDetails.PoisonMessageErrorType, child.FailureDetails?.ErrorType);
        Assert.Equal("unbuildable-child", child.InstanceId);
        Assert.Equal(PoisonLimit, Volatile.Read(ref constructions));
        var history = await Client.GetHistoryAsync("unbuildable-child");
        Assert.IsType<ExecutionStartedEvent>(history.First(e => e is not OrchestratorStartedEvent));
        Assert.Equal(OrchestrationRuntimeStatus.Failed, Assert.IsType<ExecutionCompletedEvent>(history[^1]).Status);
    }

    [Fact]
    public async Task A_running_instance_whose_turns_keep_failing_ends_as_poison_message_and_keeps_its_history()
    {
        var constructions = 0;
        await StartWorkerAsync(r => r
            .AddActivityFunc<object?, string>("Step", (_, _) => "done")
            // Builds once; every later turn must replay (no cache) and cannot build it.
            .AddOrchestrator("BreaksAfterFirstTurn", ITaskOrchestrator (_) => Interlocked.Increment(ref constructions) == 1
                ? new CallsStep()
                : throw new InvalidOperationException("a dependency of the orchestrator is missing")),
            o =>
            {
                o.StorageProvider.MaxDequeueCount = PoisonLimit;
                o.MaxCachedOrchestrations = 0;
            });

        var result = await RunAsync("BreaksAfterFirstTurn");

        Assert.Equal(OrchestrationRuntimeStatus.Failed, result.RuntimeStatus);
        Assert.Equal(FailureDetails.PoisonMessageErrorType, result.FailureDetails?.ErrorType);
        Assert.Equal(1 + PoisonLimit, Volatile.Read(ref constructions));
        var history = await Client.GetHistoryAsync(result.InstanceId);
        Assert.Contains(history, e => e is TaskScheduledEvent { Name: "Step" });
        Assert.DoesNotContain(history, e => e is TaskCompletedEvent);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, Assert.IsType<ExecutionCompletedEvent>(history[^1]).Status);
    }

    private sealed class CallsStep : TaskOrchestrator<object?, string>
    {
        public override Task<string> RunAsync(TaskOrchestrationContext context, object? input) => context.CallActivityAsync<string>("Step");
    }
}
