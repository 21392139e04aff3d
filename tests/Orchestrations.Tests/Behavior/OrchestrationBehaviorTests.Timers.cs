using System.Collections.Concurrent;

namespace Serverless.Orchestrations.Tests.Behavior;

public abstract partial class OrchestrationBehaviorTests
{
    [Fact]
    public async Task Durable_timer_fires_no_earlier_than_its_time()
    {
        await StartWorkerAsync(r => r.AddOrchestratorFunc<object?, DateTime[]>("Sleep", async (ctx, _) =>
        {
            var before = ctx.CurrentUtcDateTime;
            await ctx.CreateTimer(TimeSpan.FromMilliseconds(300), CancellationToken.None);
            return [before, ctx.CurrentUtcDateTime];
        }));
        var started = DateTime.UtcNow;

        var result = await RunAsync("Sleep");

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        var times = result.ReadOutputAs<DateTime[]>()!;
        Assert.True(times[1] - times[0] >= TimeSpan.FromMilliseconds(300), $"orchestration time advanced only {times[1] - times[0]}");
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Wait_for_event_with_timeout_gives_up_on_a_timer()
    {
        await StartWorkerAsync(r => r.AddOrchestratorFunc<object?, string>("Approval", async (ctx, _) =>
        {
            try
            {
                return await ctx.WaitForExternalEvent<string>("approve", TimeSpan.FromMilliseconds(200));
            }
            catch (TaskCanceledException)
            {
                return "timed out";
            }
        }));

        var result = await RunAsync("Approval");

        Assert.Equal("timed out", result.ReadOutputAs<string>());
    }

    [Fact]
    public async Task Retry_policy_backs_off_exponentially_until_success()
    {
        var attempts = new ConcurrentQueue<DateTime>();
        await StartWorkerAsync(r => r
            .AddActivityFunc<object?, string>("Flaky", (_, _) =>
            {
                attempts.Enqueue(DateTime.UtcNow);
                return attempts.Count < 3 ? throw new TimeoutException($"attempt {attempts.Count} failed") : "ok";
            })
            .AddOrchestratorFunc<object?, string>("Retrying", (ctx, _) => ctx.CallActivityAsync<string>("Flaky", null,
                TaskOptions.FromRetryPolicy(new RetryPolicy(5, TimeSpan.FromMilliseconds(150), backoffCoefficient: 2.0)))));

        var result = await RunAsync("Retrying");

        Assert.Equal("ok", result.ReadOutputAs<string>());
        var times = attempts.ToArray();
        Assert.Equal(3, times.Length);
        Assert.True(times[1] - times[0] >= TimeSpan.FromMilliseconds(150), $"first retry after {times[1] - times[0]}");
        Assert.True(times[2] - times[1] >= TimeSpan.FromMilliseconds(300), $"second retry after {times[2] - times[1]}");
    }

    [Fact]
    public async Task Retry_policy_gives_up_after_max_attempts_and_caps_the_interval()
    {
        var attempts = new ConcurrentQueue<DateTime>();
        await StartWorkerAsync(r => r
            .AddActivityFunc<object?, string>("AlwaysFails", string (TaskActivityContext _, object? _) =>
            {
                attempts.Enqueue(DateTime.UtcNow);
                throw new InvalidOperationException("still broken");
            })
            .AddOrchestratorFunc<object?, string>("GivesUp", async (ctx, _) =>
            {
                try
                {
                    await ctx.CallActivityAsync<string>("AlwaysFails", null, TaskOptions.FromRetryPolicy(
                        new RetryPolicy(4, TimeSpan.FromMilliseconds(50), backoffCoefficient: 10, maxRetryInterval: TimeSpan.FromMilliseconds(120))));
                    return "unexpected success";
                }
                catch (TaskFailedException failed)
                {
                    return failed.FailureDetails.ErrorMessage;
                }
            }));

        var result = await RunAsync("GivesUp");

        Assert.Equal("still broken", result.ReadOutputAs<string>());
        var times = attempts.ToArray();
        Assert.Equal(4, times.Length);
        Assert.True(times[1] - times[0] >= TimeSpan.FromMilliseconds(50));
        Assert.True(times[2] - times[1] >= TimeSpan.FromMilliseconds(120));
        // Capped: 50 * 10^2 = 5 s uncapped; the cap keeps it near 120 ms.
        Assert.True(times[3] - times[2] < TimeSpan.FromSeconds(4), $"third retry after {times[3] - times[2]}: the cap was ignored");
    }
}
