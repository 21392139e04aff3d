using Microsoft.Extensions.Logging;
using Serverless.Orchestrations.Backends;

namespace Serverless.Orchestrations.Worker;

/// <summary>Renews a work item's lock periodically while it is processed; stops on dispose or when the lock is lost.</summary>
internal sealed class LockRenewal : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LockRenewal(Func<CancellationToken, Task> renew, TimeSpan interval, ILogger logger, string what) =>
        // Started inline, not with Task.Run: a task queued from the pool thread that then runs a
        // long CPU-bound (or blocking) turn sits in that thread's local queue and may not start
        // before the lock expires. Inline, the loop only needs its delay's timer to fire.
        _loop = RenewUntilStoppedAsync(renew, interval, logger, what);

    private async Task RenewUntilStoppedAsync(Func<CancellationToken, Task> renew, TimeSpan interval, ILogger logger, string what)
    {
        try
        {
            while (true)
            {
                await Task.Delay(interval, _stop.Token).ConfigureAwait(false);
                // A renewal under way is not cancelled: cut short, it may have moved the lock
                // (a new pop receipt) without the work item learning of it.
                await renew(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (LockLostException ex)
        {
            logger.LogWarning(ex, "Lost the lock on {WorkItem}; its result will be discarded.", what);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Renewing the lock on {WorkItem} failed.", what);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
