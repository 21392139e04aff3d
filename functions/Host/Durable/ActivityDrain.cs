using Serverless.Jobs;

namespace Serverless.Host.Durable;

/// <summary>
/// Counts the activities running in this worker, so shutdown can wait for them to finish before
/// it cancels the rest (<see cref="ActivityShutdown"/>) and stops the engine.
/// </summary>
internal sealed class ActivityDrain(ActivityShutdown shutdown)
{
    private int running;

    public int Running => Volatile.Read(ref running);

    /// <summary>True once the drain deadline passed and running activities were cancelled.</summary>
    public bool Cancelled => shutdown.IsCancelled;

    public void Enter() => Interlocked.Increment(ref running);

    public void Exit() => Interlocked.Decrement(ref running);

    /// <summary>Waits until no activity runs, or the timeout passes; then cancels what still runs.</summary>
    public async Task DrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Running > 0 && DateTime.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
            await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
        if (Running > 0)
            shutdown.CancelRunning();
    }
}
