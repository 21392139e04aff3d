using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Serverless.Drops;
using Serverless.EndToEnd.Tests.Support;
using Serverless.ModelZoo;
using Serverless.Drops.Watching;
using Serverless.Storage;
using Serverless.Storage.Results;
using Serverless.TestSupport;
using SkiaSharp;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// Blob drops with real worker processes on Azurite (receipts) and s3rver (drops): images dropped
/// while a second worker joins and the first restarts are each classified exactly once; an
/// overwritten image is classified again; a job file dropped twice starts one job.
/// "Exactly once" is counted, not assumed: every result write is counted in its receipt before the
/// write starts, and the result file names the claim that wrote it.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class DropTests(JobStack stack)
{
    private const int Images = 300;

    [Fact]
    public async Task Dropped_images_are_classified_exactly_once_across_two_workers_a_restart_and_an_overwrite()
    {
        const string source = "s3://drops/images/in/";
        const string results = "s3://drops/images/out/";
        using var folder = new TempDir("drop-images");
        var files = SyntheticImages.Write(folder.Path, Images, seed: 11, minSize: 40, maxSize: 80);
        var environment = Environment("DropImages", source, results);
        var inbox = ResultStoreFactory.Create(source, stack.Connections);

        var first = await HostProcess.StartAsync("worker", environment);
        HostProcess? second = null;
        try
        {
            await UploadAsync(inbox, files.Take(100));
            // The second worker joins mid-drop.
            var joining = HostProcess.StartAsync("worker", environment);
            await UploadAsync(inbox, files.Skip(100).Take(100));
            second = await joining;
            await WaitForReceiptsAsync("DropImages", source, r => r.Count(x => x.Writes == 1) >= 120, () => first.OutputTail);

            // Graceful restart of the first worker in the middle of the drop.
            await TerminateAsync(first);
            var uploading = UploadAsync(inbox, files.Skip(200));
            first = await HostProcess.StartAsync("worker", environment);
            await uploading;

            var all = await WaitForReceiptsAsync("DropImages", source,
                r => r.Count(x => x.Status == ReceiptStatus.Done && x.Writes == 1) >= Images && r.All(x => ReceiptStatus.IsFinal(x.Status)),
                () => first.OutputTail + "\n---\n" + second.OutputTail);
            Assert.All(all, r => Assert.Equal(ReceiptStatus.Done, r.Status));
            // s3rver lists an object mid-upload under the hash of its first bytes: such a version is
            // recorded as superseded without a write. Every key is written exactly once in all.
            Assert.All(all.GroupBy(r => r.Key), g => Assert.True(g.Sum(r => r.Writes) == 1,
                $"{g.Key} was written {g.Sum(r => r.Writes)} times: {string.Join(" | ", g.Select(r => $"{r.ObjectETag} w{r.Writes} a{r.Attempts} {r.Reason}"))}"));
            Assert.All(all.Where(r => r.Writes == 0), r => Assert.Equal(ReceiptStatus.SupersededReason, r.Reason));
            var receipts = all.Where(r => r.Writes == 1).ToList();
            Assert.Equal(Images, receipts.Count);

            var outbox = ResultStoreFactory.Create(results, stack.Connections);
            var expected = await S3JobTests.ClassifyLocallyAsync(folder.Path, stack.DominantColor);
            var written = new Dictionary<string, DropResult>();
            await Parallel.ForEachAsync(receipts, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (receipt, ct) =>
            {
                var result = DropResult.Parse(await outbox.ReadAsync(DropNames.Result(SourceUri.Parse(source), receipt.Key), ct))!;
                lock (written)
                    written[receipt.Key] = result;
            });
            foreach (var receipt in receipts)
            {
                var result = written[receipt.Key];
                var name = Path.GetFileName(receipt.Key);
                Assert.Equal(receipt.ClaimId, result.ClaimId); // the counted write is the one that landed
                Assert.Equal(receipt.ObjectETag, result.ETag);
                Assert.True(expected[name] == result.Top[0].Label, $"{name}: drop said {result.Top[0].Label}, classify said {expected[name]}");
            }
            Assert.True(receipts.Select(r => r.Owner).Distinct().Count() >= 2, "only one worker classified anything");

            // Overwrite one image with another colour: that key alone is classified again.
            var victim = receipts.Single(r => r.Key.EndsWith("00000_red.png", StringComparison.Ordinal));
            await inbox.WriteAsync("00000_red.png", SyntheticImages.Encode(new SKColor(30, 40, 220), 64, 64, new Random(3), png: true));
            var after = await WaitForReceiptsAsync("DropImages", source,
                r => r.Any(x => x.Key == victim.Key && x.ObjectETag != victim.ObjectETag && x.Writes == 1 && x.Status == ReceiptStatus.Done),
                () => first.OutputTail);
            var renewed = Assert.Single(after, r => r.Key == victim.Key && r.Writes == 1 && r.ObjectETag != victim.ObjectETag);
            var again = DropResult.Parse(await outbox.ReadAsync(DropNames.Result(SourceUri.Parse(source), victim.Key)))!;
            Assert.Equal("blue", again.Top[0].Label);
            Assert.Equal(renewed.ClaimId, again.ClaimId);
            // Unchanged objects were not touched again; the only new receipts are the overwritten key's.
            var before = all.ToDictionary(r => (r.Key, r.ObjectETag));
            foreach (var receipt in after)
            {
                if (before.TryGetValue((receipt.Key, receipt.ObjectETag), out var old))
                    Assert.Equal(old.UpdatedAt, receipt.UpdatedAt);
                else
                    Assert.True(receipt.Key == victim.Key && (receipt == renewed || receipt.Writes == 0), $"unexpected new receipt for {receipt.Key}");
            }
        }
        finally
        {
            await first.DisposeAsync();
            if (second is not null)
                await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_worker_killed_mid_drop_loses_nothing_and_its_claims_are_retaken()
    {
        const string source = "s3://drops/crash/in/";
        const int count = 200;
        using var folder = new TempDir("drop-crash");
        var files = SyntheticImages.Write(folder.Path, count, seed: 13, minSize: 40, maxSize: 80);
        var environment = Environment("DropCrash", source, "s3://drops/crash/out/");
        environment["drops__claimTimeout"] = "00:00:05";
        var inbox = ResultStoreFactory.Create(source, stack.Connections);
        var worker = await HostProcess.StartAsync("worker", environment);
        try
        {
            await UploadAsync(inbox, files);
            // Killed while the receipts show claims in flight, not in the instant between micro-batches when it holds none.
            await WaitForReceiptsAsync("DropCrash", source,
                r => r.Count(x => x.Status == ReceiptStatus.Done) >= 30 && r.Any(x => !ReceiptStatus.IsFinal(x.Status)), () => worker.OutputTail);
            worker.Kill(); // kill -9: claims in flight stay behind until they expire
            await worker.DisposeAsync();
            var atKill = await ReadReceiptsAsync("DropCrash", source);
            var held = atKill.Where(r => !ReceiptStatus.IsFinal(r.Status)).Select(r => r.Key).ToHashSet();
            Assert.True(held.Count > 0 && atKill.Count(r => r.Status == ReceiptStatus.Done) < count, "the worker was not killed mid-drop");
            worker = await HostProcess.StartAsync("worker", environment);

            var all = await WaitForReceiptsAsync("DropCrash", source,
                r => r.Count(x => x.Status == ReceiptStatus.Done && x.Writes >= 1) >= count && r.All(x => ReceiptStatus.IsFinal(x.Status)),
                () => worker.OutputTail);
            var outbox = ResultStoreFactory.Create("s3://drops/crash/out/", stack.Connections);
            foreach (var receipt in all.Where(r => r.Writes >= 1))
            {
                // A second counted write is only possible for a claim the dead worker held while writing.
                Assert.True(receipt.Writes == 1 || (receipt.Writes == 2 && receipt.PreviousClaimId is not null),
                    $"{receipt.Key}: {receipt.Writes} writes, attempts {receipt.Attempts}");
                var result = DropResult.Parse(await outbox.ReadAsync(DropNames.Result(SourceUri.Parse(source), receipt.Key)))!;
                Assert.Equal(Path.GetFileNameWithoutExtension(receipt.Key).Split('_')[1], result.Top[0].Label);
                Assert.Contains(result.ClaimId, new[] { receipt.ClaimId, receipt.PreviousClaimId });
            }
            Assert.Equal(count, all.Where(r => r.Writes >= 1).Select(r => r.Key).Distinct().Count());
            // What the dead worker held was retaken after its claims expired.
            Assert.All(all.Where(r => held.Contains(r.Key) && r.Writes >= 1), r => Assert.True(r.Attempts >= 2, $"{r.Key} was not retaken"));
        }
        finally
        {
            await worker.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_job_file_dropped_twice_starts_one_job_and_gets_its_status_beside_it()
    {
        const string jobs = "s3://drops/jobs/";
        using var folder = new TempDir("drop-job-images");
        SyntheticImages.Write(folder.Path, 24, seed: 5, minSize: 40, maxSize: 64);
        await stack.UploadFolderAsync(folder.Path, "s3://drops/jobsource/");
        var environment = Environment("DropJobs", null, null, jobs);
        await using var host = await HostProcess.StartAsync("all", environment);

        var inbox = ResultStoreFactory.Create(jobs, stack.Connections);
        var job = JsonSerializer.SerializeToUtf8Bytes(new { source = "s3://drops/jobsource/", model = stack.DominantColor, output = "s3://drops/jobresults/", batchSize = 8 });
        await inbox.WriteAsync("nightly.json", job);
        var status = await WaitForStatusAsync(inbox, "nightly.json", () => host.OutputTail);
        Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
        var id = status.GetProperty("instanceId").GetString()!;
        Assert.StartsWith("drop-", id);

        // The same bytes again under the same name: same ETag, so the same job id, and nothing new starts.
        // A file written after it is the positive signal: once it is answered, a poll has listed both.
        await inbox.WriteAsync("nightly.json", job);
        await inbox.WriteAsync("broken.json", "{\"source\": \"s3://drops/jobsource/\"}"u8.ToArray());
        var rejected = await WaitForStatusAsync(inbox, "broken.json", () => host.OutputTail);
        var receipts = (await ReadReceiptsAsync("DropJobs", jobs)).Where(r => r.Key.EndsWith("nightly.json", StringComparison.Ordinal)).ToList();
        var receipt = Assert.Single(receipts);
        Assert.Equal(ReceiptStatus.Done, receipt.Status);
        Assert.Equal(id, receipt.JobId);
        Assert.Equal(DropNames.JobId("jobs/nightly.json", receipt.ObjectETag), id);

        using var http = new JobsHttp(host.BaseUrl);
        using var list = await http.GetAsync("api/jobs");
        var listed = JsonSerializer.Deserialize<JsonElement>(await list.Content.ReadAsStringAsync()).GetProperty("jobs");
        Assert.Single(listed.EnumerateArray());
        var predictions = await S3JobTests.ReadPredictionsAsync(ResultStoreFactory.Create("s3://drops/jobresults/", stack.Connections));
        Assert.Equal(24, predictions.Count);

        // An invalid job file is answered beside it, without starting anything.
        Assert.Equal("Rejected", rejected.GetProperty("runtimeStatus").GetString());
        Assert.True(rejected.GetProperty("errors").TryGetProperty("model", out _));
    }

    [Fact]
    public async Task Notifications_from_minio_and_event_grid_trigger_an_immediate_listing()
    {
        const string s3Source = "s3://drops/push/in/";
        const string blobSource = "azblob://pushdrops/in/";
        var blobVersion = Enum.Parse<BlobClientOptions.ServiceVersion>("V" + BlobSettings.AzuriteServiceVersion.Replace('-', '_'));
        await new BlobContainerClient(stack.Azurite.ConnectionString, "pushdrops", new BlobClientOptions(blobVersion)).CreateIfNotExistsAsync();
        var environment = stack.HostEnvironment("DropPush", new Dictionary<string, string>
        {
            // Listing alone would take minutes: only a notification can make these drops quick.
            ["drops__pollInterval"] = "00:05:00",
            ["drops__locations__0__source"] = s3Source,
            ["drops__locations__0__results"] = "s3://drops/push/out/",
            ["drops__locations__0__model"] = stack.DominantColor,
            ["drops__locations__1__source"] = blobSource,
            ["drops__locations__1__results"] = "azblob://pushdrops/out/",
            ["drops__locations__1__model"] = stack.DominantColor,
        });
        await using var host = await HostProcess.StartAsync("all", environment);
        await Task.Delay(TimeSpan.FromSeconds(3)); // past the first listing at start
        var random = new Random(9);
        await ResultStoreFactory.Create(s3Source, stack.Connections).WriteAsync("a.png", SyntheticImages.Encode(new SKColor(30, 200, 40), 48, 48, random, png: true));
        await ResultStoreFactory.Create(blobSource, stack.Connections).WriteAsync("b.png", SyntheticImages.Encode(new SKColor(220, 30, 220), 48, 48, random, png: true));

        using var http = new JobsHttp(host.BaseUrl);
        using (var junk = await http.PostRawAsync("api/drops/notify", "{\"hello\": 1}"))
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, junk.StatusCode);
        using (var handshake = await http.PostRawAsync("api/drops/notify",
            "[{\"eventType\":\"Microsoft.EventGrid.SubscriptionValidationEvent\",\"data\":{\"validationCode\":\"abc-123\"}}]"))
            Assert.Equal("abc-123", JsonSerializer.Deserialize<JsonElement>(await handshake.Content.ReadAsStringAsync()).GetProperty("validationResponse").GetString());

        // MinIO's webhook body (mc event add ... arn:minio:sqs::drops:webhook --event put): URL-encoded key.
        var minio = """{"EventName":"s3:ObjectCreated:Put","Key":"drops/push/in/a.png","Records":[{"eventVersion":"2.0","eventSource":"minio:s3","eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"drops"},"object":{"key":"push%2Fin%2Fa.png","size":100}}}]}""";
        using (var notified = await http.PostRawAsync("api/drops/notify", minio))
            Assert.Equal(System.Net.HttpStatusCode.OK, notified.StatusCode);
        var s3Receipts = await WaitForReceiptsAsync("DropPush", s3Source, r => r.Any(x => x.Status == ReceiptStatus.Done), () => host.OutputTail, TimeSpan.FromSeconds(20));
        Assert.Equal("green", DropResult.Parse(await ResultStoreFactory.Create("s3://drops/push/out/", stack.Connections).ReadAsync("a.png.json"))!.Top[0].Label);
        Assert.Empty(await ReadReceiptsAsync("DropPush", blobSource)); // not notified yet, so not listed yet

        var eventGrid = """[{"topic":"/subscriptions/0/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/devstoreaccount1","subject":"/blobServices/default/containers/pushdrops/blobs/in/b.png","eventType":"Microsoft.Storage.BlobCreated","id":"1","data":{"api":"PutBlob"},"dataVersion":"","metadataVersion":"1","eventTime":"2026-01-01T00:00:00Z"}]""";
        using (var notified = await http.PostRawAsync("api/drops/notify", eventGrid))
            Assert.Equal(System.Net.HttpStatusCode.OK, notified.StatusCode);
        await WaitForReceiptsAsync("DropPush", blobSource, r => r.Any(x => x.Status == ReceiptStatus.Done), () => host.OutputTail, TimeSpan.FromSeconds(20));
        Assert.Equal("magenta", DropResult.Parse(await ResultStoreFactory.Create("azblob://pushdrops/out/", stack.Connections).ReadAsync("b.png.json"))!.Top[0].Label);
        Assert.Single(s3Receipts);
    }

    [Fact]
    public async Task A_corrupt_image_gets_its_error_code_as_result_and_a_drop_that_keeps_failing_becomes_poison()
    {
        const string good = "s3://drops/mixed/in/";
        const string broken = "s3://drops/nomodel/in/";
        var environment = stack.HostEnvironment("DropPoison", new Dictionary<string, string>
        {
            ["drops__pollInterval"] = "00:00:00.500",
            ["drops__retryDelay"] = "00:00:00.500",
            ["drops__maxAttempts"] = "3",
            ["drops__locations__0__source"] = good,
            ["drops__locations__0__results"] = "s3://drops/mixed/out/",
            ["drops__locations__0__model"] = stack.DominantColor,
            ["drops__locations__1__source"] = broken,
            ["drops__locations__1__results"] = "s3://drops/nomodel/out/",
            ["drops__locations__1__model"] = Path.Combine(stack.Folder, "models", "missing.onnx"),
        });
        await ResultStoreFactory.Create(good, stack.Connections).WriteAsync("not-an-image.jpg", "plain text, not a JPEG"u8.ToArray());
        await ResultStoreFactory.Create(broken, stack.Connections).WriteAsync("c.png", SyntheticImages.Encode(new SKColor(30, 40, 220), 48, 48, new Random(1), png: true));
        // The result of a version of c.png before this one: the poison version's result must replace it.
        var brokenResults = ResultStoreFactory.Create("s3://drops/nomodel/out/", stack.Connections);
        await brokenResults.WriteAsync("c.png.json", new DropResult("nomodel/in/c.png", "older", [new LabelScore(0, "red", 0.9f)], null, null,
            "dominant-color.onnx", "older-claim", "older-worker", DateTimeOffset.UtcNow).ToJson());
        await using var host = await HostProcess.StartAsync("worker", environment);

        var corrupt = Assert.Single(await WaitForReceiptsAsync("DropPoison", good, r => r.Any(x => x.Status == ReceiptStatus.Done), () => host.OutputTail));
        Assert.Equal(1, corrupt.Writes);
        Assert.Equal(1, corrupt.Attempts); // a bad image is an answer, not a failure of the drop
        var result = DropResult.Parse(await ResultStoreFactory.Create("s3://drops/mixed/out/", stack.Connections).ReadAsync("not-an-image.jpg.json"))!;
        Assert.Equal("unsupported_format", result.ErrorCode);
        Assert.Empty(result.Top);

        var poison = Assert.Single(await WaitForReceiptsAsync("DropPoison", broken, r => r.Any(x => x.Status == ReceiptStatus.Poison), () => host.OutputTail));
        Assert.Equal(3, poison.Attempts);
        Assert.Equal(0, poison.Writes);
        Assert.Contains("classification failed", poison.Reason);
        // Its result names the failure (written just after the receipt became poison).
        var deadline = DateTime.UtcNow.AddSeconds(20);
        DropResult? poisonResult;
        while ((poisonResult = await TryReadAsync())?.ETag != poison.ObjectETag && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        Assert.NotNull(poisonResult);
        Assert.Equal(poison.ObjectETag, poisonResult.ETag);
        Assert.Equal(DropResultWriter.PoisonErrorCode, poisonResult.ErrorCode);
        Assert.Contains("classification failed", poisonResult.ErrorMessage);
        Assert.Empty(poisonResult.Top);

        // s3rver can answer a read that meets the worker's write of the object with headers the SDK
        // rejects (an ETag it cannot parse): while polling, that read is "not there yet".
        async Task<DropResult?> TryReadAsync()
        {
            try
            {
                return DropResult.Parse(await brokenResults.ReadAsync("c.png.json"));
            }
            catch (StorageException) when (DateTime.UtcNow < deadline)
            {
                return null;
            }
        }
    }

    private Dictionary<string, string> Environment(string hub, string? source, string? results, string? jobs = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["drops__pollInterval"] = "00:00:00.500",
            ["drops__claimTimeout"] = "00:00:20",
        };
        if (source is not null)
        {
            settings["drops__locations__0__source"] = source;
            settings["drops__locations__0__results"] = results!;
            settings["drops__locations__0__model"] = stack.DominantColor;
            settings["drops__locations__0__batchSize"] = "16";
            settings["drops__locations__0__maxWaitMs"] = "300";
        }
        if (jobs is not null)
            settings["drops__jobs__0"] = jobs;
        return stack.HostEnvironment(hub, settings);
    }

    private static async Task UploadAsync(IResultStore inbox, IEnumerable<string> files) =>
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (file, ct) => await inbox.WriteAsync(Path.GetFileName(file), await File.ReadAllBytesAsync(file, ct), ct));

    /// <summary>SIGTERM, then wait: the worker finishes its batch in hand and hands back the claims it did not start.</summary>
    private static async Task TerminateAsync(HostProcess host)
    {
        using (var kill = Process.Start("kill", ["-TERM", host.Pid.ToString()]))
            await kill.WaitForExitAsync();
        var clock = Stopwatch.StartNew();
        while (!host.HasExited && clock.Elapsed < TimeSpan.FromSeconds(40))
            await Task.Delay(100);
        Assert.True(host.HasExited, "the worker did not stop on SIGTERM");
        await host.DisposeAsync();
    }

    private async Task<List<DropReceipt>> ReadReceiptsAsync(string hub, string location)
    {
        var table = new TableClient(stack.Azurite.ConnectionString, TableDropReceiptStore.TableName(hub));
        var receipts = new List<DropReceipt>();
        var filter = TableDropReceiptStore.ReceiptsFilter(location);
        try
        {
            await foreach (var entity in table.QueryAsync<TableEntity>(filter))
                receipts.Add(TableDropReceiptStore.FromEntity(entity));
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
        }
        return receipts;
    }

    private async Task<List<DropReceipt>> WaitForReceiptsAsync(
        string hub, string location, Func<List<DropReceipt>, bool> ready, Func<string> diagnostics, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < (timeout ?? TimeSpan.FromMinutes(2)))
        {
            var receipts = await ReadReceiptsAsync(hub, location);
            if (ready(receipts))
                return receipts;
            await Task.Delay(250);
        }
        var final = await ReadReceiptsAsync(hub, location);
        throw new TimeoutException($"drops did not settle in {clock.Elapsed.TotalSeconds:F0} s ({final.Count} receipts: "
            + $"{string.Join(", ", final.GroupBy(r => r.Status).Select(g => $"{g.Key}: {g.Count()}"))})\n{diagnostics()}");
    }

    private static async Task<JsonElement> WaitForStatusAsync(IResultStore inbox, string key, Func<string> diagnostics)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (await inbox.ExistsAsync(key + DropNames.StatusSuffix))
                return JsonSerializer.Deserialize<JsonElement>(Encoding.UTF8.GetString(await inbox.ReadAsync(key + DropNames.StatusSuffix)));
            await Task.Delay(250);
        }
        throw new TimeoutException($"no status file for {key}\n{diagnostics()}");
    }
}
