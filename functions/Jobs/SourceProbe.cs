using Serverless.Storage;

namespace Serverless.Jobs;

/// <summary>
/// Lists one key of a job's source before the job is scheduled, so an unknown bucket or wrong
/// credentials is a 400 at submit time instead of a job that fails a moment later.
/// </summary>
public static class SourceProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <returns>Why the source cannot be used, or null when it can (or when only a transient error was seen).</returns>
    public static async Task<string?> CheckAsync(string source, StorageConnections connections, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await foreach (var _ in ImageSourceFactory.Create(source, connections).ListPagesAsync(null, 1, timeout.Token))
                break;
            return null;
        }
        catch (StorageException e) when (!e.IsTransient)
        {
            return e.Message;
        }
        catch (Exception e) when (e is StorageException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null; // transient: let the job's own retries deal with it
        }
    }
}
