using DurableTask.Core;
using DurableTask.Core.Exceptions;

namespace Serverless.Host.Durable;

/// <summary>
/// Runs an activity shim, counted by the <see cref="ActivityDrain"/>. An activity cancelled by
/// shutdown is released, not failed: <see cref="SessionAbortedException"/> makes DTFx abandon its
/// message, which another worker then takes, instead of reporting a failure to the orchestration.
/// </summary>
internal sealed class DrainingActivity(TaskActivity inner, ActivityDrain drain) : TaskActivity
{
    public override async Task<string> RunAsync(TaskContext context, string input)
    {
        drain.Enter();
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
            drain.Exit();
        }
    }

    public override string Run(TaskContext context, string input) => throw new NotSupportedException("activities run asynchronously");
}
