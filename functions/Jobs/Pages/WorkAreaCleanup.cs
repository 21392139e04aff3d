using Serverless.BatchInference.Contracts;
using Serverless.Storage;

namespace Serverless.Jobs.Pages;

/// <summary>
/// Deletes a merged job's working area (<see cref="JobWorkArea.Root"/>: page manifests and records,
/// the units' parts, the merge shards' stats), as Spark removes <c>_temporary</c> on commit: the
/// parts hold every row a second time, and a reader globbing the output must find each image once.
/// </summary>
public static class WorkAreaCleanup
{
    /// <summary>Deletes every object under the job's working area, a batch at a time; answers how many. Safe to rerun.</summary>
    public static async Task<long> DeleteAsync(IResultStore store, string jobId, CancellationToken cancellationToken)
    {
        var deleted = 0L;
        var batch = new List<string>(IResultStore.DeleteBatch);
        await foreach (var name in store.ListAsync(JobWorkArea.Root(jobId), cancellationToken).ConfigureAwait(false))
        {
            batch.Add(name);
            if (batch.Count == IResultStore.DeleteBatch)
                deleted += await FlushAsync().ConfigureAwait(false);
        }
        return deleted + await FlushAsync().ConfigureAwait(false);

        async Task<long> FlushAsync()
        {
            var names = batch.ToArray();
            batch.Clear();
            await store.DeleteAsync(names, cancellationToken).ConfigureAwait(false);
            return names.Length;
        }
    }
}
