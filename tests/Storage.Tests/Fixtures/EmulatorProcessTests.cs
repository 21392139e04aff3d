using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Azure.Storage.Blobs;
using Serverless.TestSupport;

namespace Serverless.Storage.Tests.Fixtures;

/// <summary>The shared fixtures start real emulators that answer, and leave nothing behind.</summary>
public sealed class EmulatorProcessTests
{
    [Fact]
    public async Task Azurite_serves_blobs_and_dies_on_dispose()
    {
        int port;
        string location;
        await using (var azurite = await AzuriteProcess.StartAsync())
        {
            port = azurite.BlobPort;
            location = azurite.Location;
            Assert.Contains($"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1", azurite.ConnectionString);
            Assert.True(await FreePort.IsListeningAsync(azurite.QueuePort));
            Assert.True(await FreePort.IsListeningAsync(azurite.TablePort));

            var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("fixture");
            await container.CreateAsync();
            await container.UploadBlobAsync("a.txt", BinaryData.FromString("hello"));
            var content = await container.GetBlobClient("a.txt").DownloadContentAsync();
            Assert.Equal("hello", content.Value.Content.ToString());
        }

        Assert.False(await FreePort.IsListeningAsync(port));
        Assert.False(Directory.Exists(location));
    }

    [Fact]
    public async Task S3rver_serves_objects_logs_its_requests_when_asked_and_dies_on_dispose()
    {
        int port;
        await using (var s3rver = await S3rverProcess.StartAsync(buckets: ["made-at-start"], logRequests: true))
        {
            port = s3rver.Port;
            using var s3 = new AmazonS3Client(
                new BasicAWSCredentials(S3rverProcess.AccessKey, S3rverProcess.SecretKey),
                new AmazonS3Config { ServiceURL = s3rver.ServiceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
            var buckets = await s3.ListBucketsAsync();
            Assert.Contains(buckets.Buckets, b => b.BucketName == "made-at-start");
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = "made-at-start", Key = "dir/a.txt", ContentBody = "hello" });
            (await s3.GetObjectAsync("made-at-start", "dir/a.txt")).Dispose();

            // The log is printed after the response: wait for the three lines (a benchmark counts requests with them).
            for (var i = 0; i < 100 && s3rver.Requests.Count < 3; i++)
                await Task.Delay(50);
            Assert.Equal(["GET /", "PUT /made-at-start/dir/a.txt", "GET /made-at-start/dir/a.txt"], s3rver.Requests);
        }

        Assert.False(await FreePort.IsListeningAsync(port));
    }

    [Fact]
    public void RepoPaths_finds_the_checkout_and_the_datasets()
    {
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "Serverless.sln")));
        Assert.True(File.Exists(Path.Combine(RepoPaths.Local, "package.json")));
        Assert.EndsWith(Path.Combine("shared", "datasets"), RepoPaths.Datasets);
    }

    [Fact]
    public void FreePort_gives_distinct_ports_and_TempDir_cleans_up()
    {
        var ports = FreePort.Next(5);
        Assert.Equal(5, ports.Distinct().Count());

        string path;
        using (var dir = new TempDir("check"))
        {
            path = dir.Path;
            File.WriteAllText(dir.Combine("x.txt"), "x");
        }

        Assert.False(Directory.Exists(path));
    }
}
