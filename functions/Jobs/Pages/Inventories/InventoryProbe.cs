using Serverless.BatchInference.Contracts;
using Serverless.Storage;

namespace Serverless.Jobs.Pages.Inventories;

/// <summary>
/// Reads an inventory's manifest and asks for each data file it lists before the job is scheduled, so
/// a manifest that is missing, malformed, of a format not read (ORC, Parquet), of an unfinished run, or
/// that lists a missing data file is a 400 naming it instead of a job that fails a moment later. The
/// job's listing checks all of it again (a file deleted after the submission fails the job).
/// </summary>
public static class InventoryProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <returns>Why <paramref name="manifest"/> cannot be read as an inventory, or null (also when it is no inventory's manifest, or on a transient error).</returns>
    public static async Task<string?> CheckAsync(string manifest, StorageConnections connections, CancellationToken cancellationToken)
    {
        if (!InventoryManifest.IsManifestName(manifest))
            return null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            IResultStore Store(string folder) => ResultStoreFactory.Create(folder, connections);
            var inventory = await InventoryManifest.ReadAsync(Store, manifest, timeout.Token).ConfigureAwait(false);
            var missing = new System.Collections.Concurrent.ConcurrentBag<string>();
            await Parallel.ForEachAsync(inventory.Files, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = timeout.Token }, async (file, ct) =>
            {
                var (folder, name) = InventoryManifest.Split(file);
                if (!await Store(folder).ExistsAsync(name, ct).ConfigureAwait(false))
                    missing.Add(file);
            }).ConfigureAwait(false);
            return missing.IsEmpty ? null
                : $"the inventory manifest {manifest} lists {missing.Count} data file(s) that are missing: {string.Join(", ", missing.Order(StringComparer.Ordinal).Take(3))}";
        }
        catch (JobConfigurationException e)
        {
            return e.Message;
        }
        catch (StorageException e) when (!e.IsTransient)
        {
            return e.Message;
        }
        catch (Exception e) when (e is StorageException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null; // transient: the job's own listing retries
        }
    }
}
