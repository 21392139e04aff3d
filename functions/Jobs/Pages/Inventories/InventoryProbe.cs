using Serverless.Storage;

namespace Serverless.Jobs.Pages.Inventories;

/// <summary>
/// Reads an inventory's manifest and asks for each data file it lists before the job is scheduled, so
/// a manifest that is missing, malformed, of a format not read (ORC, Parquet), of an unfinished run, or
/// that lists a missing data file is a 400 naming it instead of a job that fails a moment later
/// (<see cref="ManifestProbe"/> turns what this throws into the answer). The job's listing checks all
/// of it again (a file deleted after the submission fails the job).
/// </summary>
internal static class InventoryProbe
{
    /// <summary>Checks the inventory whose manifest is <paramref name="manifest"/>.</summary>
    /// <exception cref="BatchInference.Contracts.JobConfigurationException">The manifest is wrong or lists a missing data file.</exception>
    public static async Task CheckAsync(string manifest, StorageConnections connections, CancellationToken cancellationToken)
    {
        IResultStore Store(string folder) => ResultStoreFactory.Create(folder, connections);
        var inventory = await InventoryManifest.ReadAsync(Store, manifest, cancellationToken).ConfigureAwait(false);
        var missing = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(inventory.Files, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (file, ct) =>
        {
            var (folder, name) = InventoryManifest.Split(file);
            if (!await Store(folder).ExistsAsync(name, ct).ConfigureAwait(false))
                missing.Add(file);
        }).ConfigureAwait(false);
        if (!missing.IsEmpty)
            throw new BatchInference.Contracts.JobConfigurationException(
                $"the inventory manifest {manifest} lists {missing.Count} data file(s) that are missing: {string.Join(", ", missing.Order(StringComparer.Ordinal).Take(3))}");
    }
}
