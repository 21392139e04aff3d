using Serverless.Orchestrations;
using Serverless.Orchestrations.Backends;
using Serverless.Orchestrations.Core;
using Serverless.Orchestrations.Worker;

namespace Serverless.Bench;

/// <summary>
/// One orchestration that fans out N no-op activities with Task.WhenAll and fans their results in,
/// on one in-process worker.
/// fan-out rate = N / (time from scheduling the instance until the N-th activity started running);
/// fan-in rate = N / (time from the first activity's completion until the instance is Completed).
/// </summary>
internal static class FanOutBenchmark
{
    public sealed record Result(double FanOutPerSecond, double FanInPerSecond, double TotalSeconds, int Turns, int HistoryEvents);

    public static async Task<Result> RunAsync(string label, IOrchestrationBackend backend, IOrchestrationQueryBackend queries, int activities, Action<DurableTaskOptions> configure, TimeSpan pollInterval)
    {
        var probe = new FanOutProbe(activities);
        await using var worker = await WorkerHost.StartAsync(backend, queries, r => r
            .AddActivityFunc<int, int>("NoOp", (_, x) =>
            {
                probe.OnStart();
                probe.OnFinish();
                return x;
            })
            .AddOrchestratorFunc<int, int>("FanOut", async (ctx, n) =>
            {
                var results = await Task.WhenAll(Enumerable.Range(0, n).Select(i => ctx.CallActivityAsync<int>("NoOp", i)));
                return results.Length;
            }), configure);

        var scheduled = probe.Now;
        var id = await worker.Client.ScheduleNewOrchestrationInstanceAsync("FanOut", activities);
        var lastProgress = probe.Now;
        var lastStarted = 0;
        while (true)
        {
            var state = await worker.Client.GetInstanceAsync(id);
            if (state is { IsCompleted: true })
            {
                if (state.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
                {
                    throw new InvalidOperationException($"{label}: the orchestration ended {state.RuntimeStatus}: {state.FailureDetails?.ErrorMessage}");
                }

                break;
            }

            if (probe.Started != lastStarted)
            {
                lastStarted = probe.Started;
                lastProgress = probe.Now;
            }
            else if (probe.Now - lastProgress > 120)
            {
                throw new TimeoutException($"{label}: no progress for 2 minutes ({lastStarted}/{activities} activities started).");
            }

            await Task.Delay(pollInterval);
        }

        var completed = probe.Now;
        var history = await worker.Client.GetHistoryAsync(id);
        var turns = history.OfType<OrchestratorStartedEvent>().Count();
        var fanOut = activities / (probe.LastStartSeconds - scheduled);
        var fanIn = activities / (completed - probe.FirstFinishSeconds);
        Report.Log($"{label}: {activities} activities, all started after {probe.LastStartSeconds - scheduled:0.000}s, first finished at {probe.FirstFinishSeconds - scheduled:0.000}s, last at {probe.LastFinishSeconds - scheduled:0.000}s, instance Completed seen at {completed - scheduled:0.000}s; {turns} orchestrator turns, {history.Count} history events");
        return new Result(fanOut, fanIn, completed - scheduled, turns, history.Count);
    }
}
