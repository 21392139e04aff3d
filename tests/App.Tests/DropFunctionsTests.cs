using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Serverless.App.Functions;
using Serverless.App.Tests.Support;
using Serverless.Drops;
using Serverless.ModelZoo;

namespace Serverless.App.Tests;

/// <summary>
/// The blob-trigger functions called directly with a blob, as the Functions host calls them. The
/// host's blob receipts make a second delivery of one version rare, not impossible: our receipts
/// make it do nothing.
/// </summary>
[Collection(AppHubCollection.Name)]
public sealed class DropFunctionsTests(AppHub hub)
{
    [Fact]
    public async Task A_dropped_image_gets_its_result_once_however_often_it_is_delivered()
    {
        var image = SyntheticImages.Encode(SyntheticImages.Colors.First(c => c.Name == "green").Color, 40, 40, new Random(3), png: false);
        var blob = hub.Drops.GetBlobClient("incoming/once/leaf_green.jpg");
        await blob.UploadAsync(new BinaryData(image), overwrite: true);
        var functions = hub.Function<DropFunctions>();

        await functions.BlobDrop(blob, default);
        var first = await ReadResultAsync("results/once/leaf_green.jpg.json");
        await functions.BlobDrop(blob, default);
        await functions.BlobDropEventGrid(blob, default);

        Assert.Equal("green", first.GetProperty("top")[0].GetProperty("label").GetString());
        var again = await ReadResultAsync("results/once/leaf_green.jpg.json");
        Assert.Equal(first.GetProperty("claimId").GetString(), again.GetProperty("claimId").GetString());
        var etag = (await blob.GetPropertiesAsync()).Value.ETag.ToString().Trim('"');
        var receipt = await hub.Services.GetRequiredService<IDropReceiptStore>().GetAsync("azblob://drops/incoming/", new ObjectVersion(blob.Name, etag));
        Assert.Equal(ReceiptStatus.Done, receipt!.Status);
        Assert.Equal(1, receipt.Writes);
        Assert.Equal(1, receipt.Attempts);
    }

    [Fact]
    public async Task A_corrupt_image_gets_a_result_with_its_error_code()
    {
        var blob = hub.Drops.GetBlobClient("incoming/bad/broken.jpg");
        await blob.UploadAsync(new BinaryData(new byte[] { 0xFF, 0xD8, 0xFF, 0x00, 0x10 }), overwrite: true);

        await hub.Function<DropFunctions>().BlobDrop(blob, default);

        var result = await ReadResultAsync("results/bad/broken.jpg.json");
        Assert.Equal("corrupt_image", result.GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task A_job_file_delivered_twice_starts_one_job()
    {
        var source = Directory.CreateDirectory(Path.Combine(hub.Root, "dropped-job")).FullName;
        SyntheticImages.Write(source, 3, seed: 41, minSize: 32, maxSize: 48);
        var blob = hub.Drops.GetBlobClient("jobs/nightly.json");
        await blob.UploadAsync(BinaryData.FromObjectAsJson(new { source, model = hub.DominantColor, output = Path.Combine(hub.Root, "out-dropped") }), overwrite: true);
        var etag = (await blob.GetPropertiesAsync()).Value.ETag.ToString().Trim('"');
        var jobId = DropNames.JobId(blob.Name, etag);
        var functions = hub.Function<DropFunctions>();

        await functions.JobFileDrop(blob, hub.Client, default);
        await functions.JobFileDrop(blob, hub.Client, default);

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var done = await hub.Client.WaitForInstanceCompletionAsync(jobId, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var jobs = new List<OrchestrationMetadata>();
        await foreach (var job in hub.Client.GetAllInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = "drop-" }))
            jobs.Add(job);
        Assert.Equal(jobId, Assert.Single(jobs).InstanceId);
        var receipt = await hub.Services.GetRequiredService<IDropReceiptStore>().GetAsync("azblob://drops/jobs/", new ObjectVersion(blob.Name, etag));
        // One claim started the one job; once it ended, the host's job-file watcher may have settled the receipt already.
        Assert.Equal((jobId, 1, null), (receipt!.JobId, receipt.Attempts, receipt.Reason));
        Assert.Contains(receipt.Status, new[] { ReceiptStatus.Running, ReceiptStatus.Done });
    }

    private async Task<JsonElement> ReadResultAsync(string name) =>
        JsonSerializer.Deserialize<JsonElement>((await hub.Drops.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToString());
}
