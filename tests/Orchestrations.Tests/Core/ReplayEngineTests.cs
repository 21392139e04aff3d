using Microsoft.Extensions.DependencyInjection;
using Serverless.Orchestrations.Backends;
using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Tests.Core;

/// <summary>The turn runner on its own: history in, commands out, no backend.</summary>
public sealed class ReplayEngineTests
{
    private static readonly DateTime T0 = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static OrchestrationTurnRunner Runner(Action<DurableTaskRegistry> configure)
    {
        var registry = new DurableTaskRegistry();
        configure(registry);
        return new OrchestrationTurnRunner(registry, new ServiceCollection().BuildServiceProvider());
    }

    private static OrchestrationMessage Msg(HistoryEvent e) => new(Guid.NewGuid().ToString(), "i", e);

    private static readonly Action<DurableTaskRegistry> TwoSteps = r => r.AddOrchestratorFunc<int, int>("TwoSteps", async (ctx, x) =>
    {
        var a = await ctx.CallActivityAsync<int>("Inc", x);
        var b = await ctx.CallActivityAsync<int>("Inc", a);
        return b;
    });

    [Fact]
    public void Turns_emit_one_command_per_step_and_complete_with_the_output()
    {
        var runner = Runner(TwoSteps);
        var start = new ExecutionStartedEvent(-1, T0, "TwoSteps", "i", "e", "1");

        var first = runner.Run("i", OrchestrationSession.FromHistory([]), [Msg(start)], T0);
        var scheduled = Assert.Single(first.Turn.NewActivities);
        Assert.Equal(("Inc", "1", 0), (scheduled.Name, scheduled.Input, scheduled.TaskId));
        Assert.True(first.Turn.ReplacesHistory);
        Assert.Equal(OrchestrationRuntimeStatus.Running, first.Turn.State!.RuntimeStatus);

        // Second turn from stored history (no live executor): replays, then continues.
        var second = runner.Run("i", OrchestrationSession.FromHistory(first.Turn.NewHistory),
            [Msg(new TaskCompletedEvent(-1, T0, 0, "2"))], T0.AddSeconds(1));
        Assert.Equal(1, Assert.Single(second.Turn.NewActivities).TaskId);
        Assert.False(second.Turn.ReplacesHistory);

        // Third turn on the live session, with a duplicate of the first completion: ignored.
        var third = runner.Run("i", second.NextSession!,
            [Msg(new TaskCompletedEvent(-1, T0, 0, "999")), Msg(new TaskCompletedEvent(-1, T0, 1, "3"))], T0.AddSeconds(2));
        Assert.Equal(OrchestrationRuntimeStatus.Completed, third.Turn.State!.RuntimeStatus);
        Assert.Equal("3", third.Turn.State.Output);
        Assert.Null(third.NextSession);
        Assert.Empty(third.Turn.NewActivities);
    }

    [Fact]
    public void A_timer_where_history_has_an_activity_is_reported_as_non_determinism()
    {
        var original = Runner(TwoSteps);
        var start = new ExecutionStartedEvent(-1, T0, "TwoSteps", "i", "e", "1");
        var first = original.Run("i", OrchestrationSession.FromHistory([]), [Msg(start)], T0);

        var changed = Runner(r => r.AddOrchestratorFunc<int, int>("TwoSteps", async (ctx, _) =>
        {
            await ctx.CreateTimer(TimeSpan.FromSeconds(1), CancellationToken.None);
            return 0;
        }));
        var replay = changed.Run("i", OrchestrationSession.FromHistory(first.Turn.NewHistory), [Msg(new TaskCompletedEvent(-1, T0, 0, "2"))], T0);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, replay.Turn.State!.RuntimeStatus);
        Assert.Contains("now schedules a timer", replay.Turn.State.FailureDetails!.ErrorMessage);
        Assert.Empty(replay.Turn.NewActivities);
        Assert.Empty(replay.Turn.NewMessages);
        Assert.IsType<ExecutionCompletedEvent>(replay.Turn.NewHistory[^1]);
        Assert.False(replay.Turn.ReplacesHistory);
    }

    [Fact]
    public void Completions_for_an_execution_that_continued_as_new_are_dropped()
    {
        var runner = Runner(r => r.AddOrchestratorFunc<int, int>("Loop", async (ctx, n) =>
        {
            var value = await ctx.CallActivityAsync<int>("Work", n);
            if (n < 1)
                ctx.ContinueAsNew(n + 1);
            return value;
        }));
        var start = new ExecutionStartedEvent(-1, T0, "Loop", "i", "e1", "0");
        var first = runner.Run("i", OrchestrationSession.FromHistory([]), [Msg(start)], T0);
        var second = runner.Run("i", first.NextSession!, [Msg(new TaskCompletedEvent(-1, T0, 0, "10")) with { TargetExecutionId = "e1" }], T0);
        Assert.True(second.Turn.ReplacesHistory);
        var newExecution = second.Turn.ExecutionId;
        Assert.NotEqual("e1", newExecution);

        // A late duplicate for task 0 of the old execution must not complete task 0 of the new one.
        var third = runner.Run("i", second.NextSession!, [Msg(new TaskCompletedEvent(-1, T0, 0, "10")) with { TargetExecutionId = "e1" }], T0);
        Assert.Empty(third.Turn.NewHistory);
        var fourth = runner.Run("i", third.NextSession!, [Msg(new TaskCompletedEvent(-1, T0, 0, "20")) with { TargetExecutionId = newExecution }], T0);
        Assert.Equal("20", fourth.Turn.State!.Output);
    }
}
