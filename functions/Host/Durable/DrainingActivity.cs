using System.Diagnostics;
using DurableTask.Core;
using DurableTask.Core.Exceptions;
using Serverless.Host.Telemetry;

namespace Serverless.Host.Durable;

/// <summary>
/// Runs an activity shim, counted by the <see cref="ActivityDrain"/>. An activity cancelled by
/// shutdown is released, not failed: <see cref="SessionAbortedException"/> makes DTFx abandon its
/// message, which another worker then takes, instead of reporting a failure to the orchestration.
/// Each run's time goes to <see cref="ActivityMetrics"/> under the activity's <paramref name="name"/>.
/// </summary>
internal sealed class DrainingActivity(string name, TaskActivity inner, ActivityDrain drain) : TaskActivity
{
    public override async Task<string> RunAsync(TaskContext context, string input)
    {
        drain.Enter();
        var clock = Stopwatch.StartNew();
        try
        {
            return await inner.RunAsync(context, input).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (drain.Cancelled)
        {
            throw new SessionAbortedException($"released at shutdown: {e.Message}");
        }
        finally
        {
            ActivityMetrics.Record(name, clock.Elapsed.TotalSeconds);
            drain.Exit();
        }
    }

    public override string Run(TaskContext context, string input) => throw new NotSupportedException("activities run asynchronously");
}
