namespace Serverless.Jobs.Attempts;

/// <summary>
/// Runs a suspect batch (one whose earlier attempt was in flight when its worker died) with no
/// other batch beside it in this process. Every batch in flight dies with a crashed process, so
/// the first crash may be a neighbour's fault; a suspect that crashes again while alone is the
/// culprit. Without this, the batch mates of a poison image could be counted as poison too.
/// </summary>
public sealed class SuspectIsolation
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private int running;

    /// <summary>Waits until the batch may run; dispose the result when it has finished.</summary>
    public async Task<IDisposable> EnterAsync(bool suspect, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!suspect)
        {
            // Counted under the gate: once a suspect holds it and sees no batch running, none starts.
            Interlocked.Increment(ref running);
            gate.Release();
            return new Exit(() => Interlocked.Decrement(ref running));
        }
        try
        {
            while (Volatile.Read(ref running) > 0)
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            gate.Release();
            throw;
        }
        return new Exit(() => gate.Release());
    }

    private sealed class Exit(Action exit) : IDisposable
    {
        private int done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref done, 1) == 0)
                exit();
        }
    }
}
