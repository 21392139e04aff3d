namespace Serverless.Jobs;

/// <summary>
/// The cancellation of running activities, since the Durable Task <c>TaskActivityContext</c>
/// carries no token. The host cancels it when it stops: <c>serverless host</c> after letting
/// running batches finish until its drain deadline (what is cancelled then is released to the
/// queue, not failed), a Functions app when its host stops it.
/// </summary>
public sealed class ActivityShutdown : IDisposable
{
    private readonly CancellationTokenSource cancel = new();

    /// <summary>Cancelled when running activities must stop.</summary>
    public CancellationToken Token => cancel.Token;

    /// <summary>Whether running activities have been told to stop.</summary>
    public bool IsCancelled => cancel.IsCancellationRequested;

    /// <summary>Cancels every running activity.</summary>
    public void CancelRunning() => cancel.Cancel();

    public void Dispose() => cancel.Dispose();
}
