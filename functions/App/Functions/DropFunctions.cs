using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Serverless.Drops;

namespace Serverless.App.Functions;

/// <summary>
/// Blob drops under a Functions host: an image dropped under the images path is classified and its
/// result JSON written under the location's results prefix (host.json <c>drops.locations</c>, as
/// the self-host's watcher does); a JSON job file dropped under the jobs path starts one job. The
/// paths are app settings (<c>DROPS_IMAGES_PATH</c>, <c>DROPS_JOBS_PATH</c>, e.g.
/// <c>drops/incoming/{name}</c>); two image triggers differ only in how the host finds new blobs
/// (container scan, or Event Grid): disable the one not used (<c>AzureWebJobs.BlobDropEventGrid.Disabled</c>).
/// </summary>
public sealed class DropFunctions(DropIntake intake)
{
    [Function(nameof(BlobDrop))]
    public Task BlobDrop(
        [BlobTrigger("%DROPS_IMAGES_PATH%", Source = BlobTriggerSource.LogsAndContainerScan)] BlobClient blob, CancellationToken cancellationToken) =>
        ClassifyAsync(blob, cancellationToken);

    [Function(nameof(BlobDropEventGrid))]
    public Task BlobDropEventGrid(
        [BlobTrigger("%DROPS_IMAGES_PATH%", Source = BlobTriggerSource.EventGrid)] BlobClient blob, CancellationToken cancellationToken) =>
        ClassifyAsync(blob, cancellationToken);

    [Function(nameof(JobFileDrop))]
    public async Task JobFileDrop(
        [BlobTrigger("%DROPS_JOBS_PATH%")] BlobClient blob, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var etag = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ETag.ToString();
        ThrowIfRetry(await intake.StartJobAsync(client, blob.BlobContainerName, blob.Name, etag, cancellationToken), blob);
    }

    private async Task ClassifyAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        var etag = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ETag.ToString();
        ThrowIfRetry(await intake.ClassifyAsync(blob.BlobContainerName, blob.Name, etag, cancellationToken), blob);
    }

    // A failed attempt (counted in the receipt) fails the invocation, so the Functions host delivers it again.
    private static void ThrowIfRetry(DropOutcome outcome, BlobClient blob)
    {
        if (outcome == DropOutcome.Retry)
            throw new InvalidOperationException($"processing {blob.BlobContainerName}/{blob.Name} failed this time; it is tried again");
    }
}
