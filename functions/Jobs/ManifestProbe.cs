using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Pages;
using Serverless.Storage;

namespace Serverless.Jobs;

/// <summary>
/// Opens a job's manifest before the job is scheduled and checks a CSV's header as the listing will
/// (<see cref="ManifestPages.CheckHeaderAsync"/>), or an inventory's manifest and data files
/// (<see cref="Pages.Inventories.InventoryProbe"/>): a missing manifest or a CSV without its key column
/// is a 400 naming <c>manifest</c> at submit time, as <see cref="SourceProbe"/> does for a prefix,
/// instead of a job that fails a moment later. Rows are still judged by the listing, line by line.
/// </summary>
public static class ManifestProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    // An inventory's manifest lists data files, each asked for.
    private static readonly TimeSpan InventoryTimeout = TimeSpan.FromSeconds(30);

    /// <returns>Why the manifest cannot be used, or null when it can (or when only a transient error was seen).</returns>
    public static async Task<string?> CheckAsync(string manifest, string keyColumn, StorageConnections connections, CancellationToken cancellationToken)
    {
        var inventory = Pages.Inventories.InventoryManifest.IsManifestName(manifest);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(inventory ? InventoryTimeout : Timeout);
        try
        {
            if (inventory)
            {
                await Pages.Inventories.InventoryProbe.CheckAsync(manifest, connections, timeout.Token).ConfigureAwait(false);
                return null;
            }
            var slash = manifest.LastIndexOf('/');
            var store = ResultStoreFactory.Create(manifest[..Math.Max(slash, 0)], connections);
            await using var stream = await store.OpenReadAsync(manifest[(slash + 1)..], timeout.Token).ConfigureAwait(false);
            await ManifestPages.CheckHeaderAsync(stream, manifest, keyColumn, timeout.Token).ConfigureAwait(false);
            return null;
        }
        catch (JobConfigurationException e)
        {
            return e.Message;
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.ObjectNotFound)
        {
            return $"the manifest {manifest} is missing: {e.Message}";
        }
        catch (StorageException e) when (!e.IsTransient)
        {
            return e.Message;
        }
        catch (ArgumentException e)
        {
            return $"the manifest {manifest} cannot be read: {e.Message}";
        }
        catch (Exception e) when (e is StorageException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null; // transient: the job's listing retries and fails it naming the cause
        }
    }
}
