using System.Text.Json;
using Azure.Storage.Blobs;
using Serverless.EndToEnd.Tests.Support;
using Serverless.Storage;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests;

/// <summary>Jobs from and to Azure Blob Storage (Azurite), and jobs over folders with bad files and non-image keys.</summary>
[Collection(JobStackCollection.Name)]
public sealed class BlobAndBadInputJobTests(JobStack stack) : IAsyncLifetime
{
    private HostProcess? host;

    public async Task InitializeAsync() => host = await HostProcess.StartAsync("all", stack.HostEnvironment("BlobJobs"));

    public async Task DisposeAsync() => await host!.DisposeAsync();

    [Fact]
    public async Task Blob_source_and_destination_give_the_labels_of_the_classify_command()
    {
        using var folder = new TempDir("blob-photos");
        foreach (var photo in Directory.GetFiles(RepoPaths.ImagenetSample200).Order().Take(40))
            File.Copy(photo, folder.Combine(Path.GetFileName(photo)));
        await new BlobServiceClient(stack.Azurite.ConnectionString).GetBlobContainerClient("photos").CreateIfNotExistsAsync();
        await stack.UploadFolderAsync(folder.Path, "azblob://photos/in/");

        using var jobs = new JobsHttp(host!.BaseUrl);
        var id = await jobs.SubmitAsync(new { source = "azblob://photos/in/", model = stack.DominantColor, output = "azblob://photos/out/blob-job", format = "jsonl" });
        var status = await jobs.WaitAsync(id, TimeSpan.FromMinutes(3), () => host.OutputTail);
        Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());

        var rows = await S3JobTests.ReadPredictionsAsync(ResultStoreFactory.Create("azblob://photos/out/blob-job", stack.Connections));
        var expected = await S3JobTests.ClassifyLocallyAsync(folder.Path, stack.DominantColor);
        Assert.Equal(40, rows.Count);
        foreach (var row in rows)
            Assert.Equal(expected[row.Key["in/".Length..]], row.Top[0].Label);
    }

    [Fact]
    public async Task Bad_files_are_listed_with_their_reason_and_no_good_image_is_lost()
    {
        using var folder = new TempDir("mixed");
        var good = Directory.GetFiles(RepoPaths.ImagenetSample200).Order().Take(30).ToArray();
        foreach (var photo in good)
            File.Copy(photo, folder.Combine(Path.GetFileName(photo)));
        var bad = BadFiles.Write(folder.Path, good[0]);
        // Not images either: a job lists every key, so they get unsupported_format rows (issue 27 item 7).
        File.WriteAllText(folder.Combine("notes.txt"), "not an image key");
        File.WriteAllText(folder.Combine("labels.csv"), "a,b\n");
        bad["notes.txt"] = "unsupported_format";
        bad["labels.csv"] = "unsupported_format";
        await stack.UploadFolderAsync(folder.Path, $"s3://{JobStack.Bucket}/mixed/");

        using var jobs = new JobsHttp(host!.BaseUrl);
        var id = await jobs.SubmitAsync(new { source = $"s3://{JobStack.Bucket}/mixed/", model = stack.DominantColor, batchSize = 8, output = $"s3://{JobStack.Bucket}/results/mixed" });
        var status = await jobs.WaitAsync(id, TimeSpan.FromMinutes(3), () => host.OutputTail);
        Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());

        var rows = (await S3JobTests.ReadPredictionsAsync(ResultStoreFactory.Create($"s3://{JobStack.Bucket}/results/mixed", stack.Connections)))
            .ToDictionary(r => r.Key["mixed/".Length..]);
        Assert.Equal(good.Length + bad.Count, rows.Count);
        foreach (var photo in good)
            Assert.True(rows[Path.GetFileName(photo)] is { ErrorCode: null, Top.Count: > 0 }, $"{photo} lost or failed");
        foreach (var (name, code) in bad)
        {
            Assert.Equal(code, rows[name].ErrorCode);
            Assert.False(string.IsNullOrWhiteSpace(rows[name].ErrorMessage));
        }

        var output = status.GetProperty("output");
        Assert.Equal(bad.Count, output.GetProperty("failed").GetInt64());
        var byReason = output.GetProperty("failuresByReason").Deserialize<Dictionary<string, long>>()!;
        Assert.Equal(bad.Values.GroupBy(c => c).ToDictionary(g => g.Key, g => (long)g.Count()), byReason);
    }

    [Fact]
    public async Task An_error_threshold_stops_the_job_with_its_reason_and_keeps_the_predictions()
    {
        using var folder = new TempDir("threshold");
        BadFiles.Write(folder.Path, Directory.GetFiles(RepoPaths.ImagenetSample200).Order().First());
        await stack.UploadFolderAsync(folder.Path, $"s3://{JobStack.Bucket}/all-bad/");

        using var jobs = new JobsHttp(host!.BaseUrl);
        var id = await jobs.SubmitAsync(new { source = $"s3://{JobStack.Bucket}/all-bad/", model = stack.DominantColor, maxFailedImages = 1, output = $"s3://{JobStack.Bucket}/results/all-bad" });
        var status = await jobs.WaitAsync(id, TimeSpan.FromMinutes(3), () => host.OutputTail);
        Assert.Equal("Failed", status.GetProperty("runtimeStatus").GetString());
        Assert.Contains("error threshold exceeded", status.GetProperty("failureDetails").GetProperty("errorMessage").GetString());
        var rows = await S3JobTests.ReadPredictionsAsync(ResultStoreFactory.Create($"s3://{JobStack.Bucket}/results/all-bad", stack.Connections));
        Assert.Equal(4, rows.Count);
    }
}
