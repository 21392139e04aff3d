using Microsoft.Extensions.Logging;
using Serverless.Orchestrations.Backends;

namespace Serverless.Orchestrations.Worker;

/// <summary>Renews a work item's lock periodically while it is processed; stops on dispose or when the lock is lost.</summary>
internal sealed class LockRenewal : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LockRenewal(Func<CancellationToken, Task> renew, TimeSpan interval, ILogger logger, string what)
    {
        _loop = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await Task.Delay(interval, _stop.Token).ConfigureAwait(false);
                    await renew(_stop.Token).ConfigureAwait(false);
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
        });
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
