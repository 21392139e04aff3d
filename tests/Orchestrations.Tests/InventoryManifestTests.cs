using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Microsoft.DurableTask.Client;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Pages;
using Serverless.Orchestrations.Tests.Support;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// Storage inventories as a job's <c>manifest</c>, on the stores that write them: an S3 Inventory
/// (<c>manifest.json</c> and its header-less CSV and CSV.gz files, keys URL-encoded) on s3rver, and an
/// Azure Blob inventory (<c>&lt;rule&gt;-manifest.json</c>, or one of its CSVs with its header) on Azurite.
/// Each image is classified once over pages that cross data files, a missing object gets a
/// <c>not_found</c> row, delete markers and folders are left out, and the inventory's size and ETag
/// reach the rows.
/// </summary>
[Collection(TaskHubCollection.Name)]
public sealed class InventoryManifestTests(TaskHubHost hub)
{
    private const string Schema = "Bucket, Key, Size, LastModifiedDate, ETag, IsLatest, IsDeleteMarker";

    [Fact]
    public async Task An_s3_inventory_over_a_gzip_and_a_plain_file_classifies_each_object_once()
    {
        var run = Run();
        var images = await UploadImagesAsync($"s3://inv-src/{run}", 11, seed: 91, rename: i => i switch { 0 => "my photo.jpg", 1 => "a+b.jpg", _ => null });
        var other = await UploadImagesAsync($"s3://inv-other/{run}", 1, seed: 92);
        var rows = images.Select(i => S3Row("inv-src", $"{run}/{i.Name}", i.Bytes)).ToList();
        var first = rows.Take(9).Append(Csv("inv-src", $"{run}/", "0", "2026-12-05T00:00:00.000Z", "d41d8cd98f00b204e9800998ecf8427e", "true", "false"))
            .Append(Csv("inv-src", $"{run}/deleted.jpg", "", "2026-12-05T00:00:00.000Z", "", "true", "true"));
        var second = rows.Skip(9).Append(S3Row("inv-other", $"{run}/{other[0].Name}", other[0].Bytes))
            .Append(Csv("inv-src", $"{run}/missing.jpg", "10", "2026-12-05T00:00:00.000Z", "0123", "true", "false"));
        var data = $"inventory/inv-src/cfg-{run}/data";
        await WriteAsync($"s3://inv-dst/{data}", "one.csv.gz", Gzip(string.Join("\n", first) + "\n"));
        await WriteAsync($"s3://inv-dst/{data}", "two.csv", Encoding.UTF8.GetBytes(string.Join("\n", second) + "\n"));
        var manifest = await S3ManifestAsync(run, "CSV", Schema, $"{data}/one.csv.gz", $"{data}/two.csv");
        var output = $"s3://inv-dst/results/{run}";

        var id = await hub.SubmitAsync(new JobRequest { Manifest = manifest, Model = hub.Model, Output = output, KeepWorkArea = true });
        var done = await hub.WaitAsync(id);

        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, done.FailureDetails?.ErrorMessage);
        // The first page stopped inside the gzip file (data file 0, after its 8th line).
        Assert.Matches("^0:[0-9]+:8$", (await PageManifests.ReadHeaderAsync(ResultStoreFactory.Create(output, hub.Connections), id, 0, CancellationToken.None)).Next);
        var predictions = await ReadRowsAsync(output);
        // 11 + 1 objects and a missing one over two pages of 8: the second goes on inside the gzip file (decompressed again and skipped) and into the plain one.
        Assert.Equal(13, predictions.Count);
        Assert.Equal(13, predictions.Select(r => r.Key).Distinct().Count());
        var byKey = predictions.ToDictionary(r => r.Key);
        foreach (var (name, bytes) in images)
        {
            var row = byKey[$"s3://inv-src/{run}/{name}"];
            Assert.Null(row.ErrorCode);
            Assert.Equal(bytes.Length, row.Size);
            Assert.Equal($"\"{Md5(bytes)}\"", row.ETag);
        }
        Assert.Contains("s3://inv-src/" + run + "/my photo.jpg", byKey.Keys);
        Assert.Contains("s3://inv-src/" + run + "/a+b.jpg", byKey.Keys);
        Assert.Null(byKey[$"s3://inv-other/{run}/{other[0].Name}"].ErrorCode);
        Assert.Equal("not_found", byKey[$"s3://inv-src/{run}/missing.jpg"].ErrorCode);
    }

    [Fact]
    public async Task An_azure_blob_inventory_manifest_and_a_single_inventory_csv_classify_each_blob_once()
    {
        var run = Run();
        var container = $"photos-{run}";
        var images = await UploadImagesAsync($"azblob://{container}", 10, seed: 93);
        const string header = "Name,Creation-Time,Last-Modified,Etag,Content-Length,BlobType,Deleted";
        string Row((string Name, byte[] Bytes) image, string deleted = "") =>
            Csv($"{container}/{image.Name}", "2026-12-05T00:00:00.0000000Z", "2026-12-05T00:00:00.0000000Z", "0x8DD", image.Bytes.Length.ToString(), "BlockBlob", deleted);
        var first = new[] { header }.Concat(images.Take(5).Select(i => Row(i))).Append(Row(("gone.jpg", [1]), deleted: "true"));
        var second = new[] { header }.Concat(images.Skip(5).Select(i => Row(i))).Append(Row(("missing.jpg", [1, 2, 3])));
        var folder = $"azblob://inventory-{run}/2026/12/05/00-00-00/rule1";
        await WriteAsync(folder, "rule1_1000000_0.csv", Encoding.UTF8.GetBytes(string.Join("\r\n", first) + "\r\n"));
        await WriteAsync(folder, "rule1_1000000_1.csv", Encoding.UTF8.GetBytes(string.Join("\r\n", second) + "\r\n"));
        await WriteAsync(folder, "rule1-manifest.json", Encoding.UTF8.GetBytes(AzureManifest($"inventory-{run}", "Succeeded", "csv",
            "2026/12/05/00-00-00/rule1/rule1_1000000_0.csv", "2026/12/05/00-00-00/rule1/rule1_1000000_1.csv")));
        // The same inventory's CSV beside the blobs it lists: their keys are relative to the container.
        await WriteAsync($"azblob://{container}", "inventory.csv", Encoding.UTF8.GetBytes(string.Join("\n", second) + "\n"));

        var fromManifest = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Manifest = $"{folder}/rule1-manifest.json", Model = hub.Model, Output = $"azblob://{container}/out-manifest" }));
        var fromCsv = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Manifest = $"azblob://{container}/inventory.csv", Model = hub.Model, Output = $"azblob://{container}/out-csv" }));

        Assert.True(fromManifest.RuntimeStatus == OrchestrationRuntimeStatus.Completed, fromManifest.FailureDetails?.ErrorMessage);
        var rows = await ReadRowsAsync($"azblob://{container}/out-manifest");
        Assert.Equal(11, rows.Count);
        Assert.Equal(images.Select(i => $"azblob://{container}/{i.Name}").Append($"azblob://{container}/missing.jpg").Order(), rows.Select(r => r.Key).Order());
        Assert.All(rows.Where(r => !r.Key.EndsWith("missing.jpg")), r => Assert.Null(r.ErrorCode));
        Assert.Equal("not_found", rows.Single(r => r.Key.EndsWith("missing.jpg")).ErrorCode);
        Assert.All(rows, r => Assert.Equal("0x8DD", r.ETag));
        // The inventory's other columns reach the rows; those that became the key, size, ETag and time, or that chose the rows left out, do not.
        Assert.All(rows, r => Assert.Equal(["BlobType", "Creation-Time"], r.Columns!.Keys.Order(StringComparer.Ordinal)));
        Assert.All(rows, r => Assert.Equal("BlockBlob", r.Columns!["BlobType"].GetString()));

        Assert.True(fromCsv.RuntimeStatus == OrchestrationRuntimeStatus.Completed, fromCsv.FailureDetails?.ErrorMessage);
        var csvRows = await ReadRowsAsync($"azblob://{container}/out-csv");
        Assert.Equal(images.Skip(5).Select(i => i.Name).Append("missing.jpg").Order(), csvRows.Select(r => r.Key).Order());
        Assert.Equal(images[5].Bytes.Length, csvRows.Single(r => r.Key == images[5].Name).Size);
    }

    [Theory]
    [InlineData("missing-file", "lists 1 data file(s) that are missing: s3://inv-dst/")]
    [InlineData("not-json", "is not JSON")]
    [InlineData("orc", "has fileFormat ORC: ORC inventories are not supported, only CSV")]
    [InlineData("parquet", "has fileFormat Parquet: Parquet inventories are not supported")]
    [InlineData("no-key", "has a fileSchema without Key")]
    [InlineData("not-inventory", "is neither an S3 Inventory manifest")]
    [InlineData("elsewhere", "names destinationBucket inv-other, but lies in bucket inv-dst")]
    public async Task A_bad_s3_inventory_manifest_is_refused_at_submission_naming_it(string fault, string expected)
    {
        var run = Run();
        var data = $"inventory/inv-src/bad-{run}/data";
        if (fault != "missing-file")
            await WriteAsync($"s3://inv-dst/{data}", "one.csv", Encoding.UTF8.GetBytes(Csv("inv-src", "a.jpg", "1", "2026-12-05T00:00:00.000Z", "e", "true", "false") + "\n"));
        var manifest = fault switch
        {
            "not-json" => await WriteManifestAsync(run, "{\"sourceBucket\": \"inv-src\", \"files\": ["),
            "not-inventory" => await WriteManifestAsync(run, "{\"name\": \"a package.json, perhaps\"}"),
            "elsewhere" => await WriteManifestAsync(run, S3ManifestText("CSV", Schema, $"{data}/one.csv").Replace("arn:aws:s3:::inv-dst", "arn:aws:s3:::inv-other")),
            _ => await S3ManifestAsync(run, fault switch { "orc" => "ORC", "parquet" => "Parquet", _ => "CSV" }, fault == "no-key" ? "Bucket, Size" : Schema, $"{data}/one.csv"),
        };

        var outcome = await hub.Submission.SubmitAsync(hub.Client, new JobRequest { Manifest = manifest, Model = hub.Model, Output = $"s3://inv-dst/results/{run}" }, CancellationToken.None);

        Assert.Null(outcome.JobId);
        Assert.Contains($"the inventory manifest {manifest} ", outcome.Errors["manifest"]);
        Assert.Contains(expected, outcome.Errors["manifest"]);
    }

    [Fact]
    public async Task An_s3_inventory_manifest_in_a_local_folder_or_an_azure_inventory_csv_on_s3_is_refused()
    {
        var run = Run();
        var folder = Directory.CreateDirectory(Path.Combine(hub.Root, $"inv-local-{run}")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "manifest.json"), S3ManifestText("CSV", Schema, "data/one.csv"));
        await WriteAsync($"s3://inv-dst/azure-{run}", "inventory.csv", Encoding.UTF8.GetBytes("Name,Content-Length\nphotos/a.jpg,1\n"));

        var local = await hub.Submission.SubmitAsync(hub.Client, new JobRequest { Manifest = Path.Combine(folder, "manifest.json"), Model = hub.Model, Output = Path.Combine(folder, "out") }, CancellationToken.None);
        var azureOnS3 = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Manifest = $"s3://inv-dst/azure-{run}/inventory.csv", Model = hub.Model, Output = $"s3://inv-dst/results/{run}" }));

        Assert.Null(local.JobId);
        Assert.Contains("is an S3 Inventory manifest: it names buckets, so it is read from S3", local.Errors["manifest"]);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, azureOnS3.RuntimeStatus);
        Assert.Contains($"the manifest s3://inv-dst/azure-{run}/inventory.csv, line 1, is an Azure Blob inventory's CSV", azureOnS3.FailureDetails!.ErrorMessage);
    }

    [Theory]
    [InlineData("few-columns", "line 2, has 6 fields, the inventory's columns are 7")]
    [InlineData("nul", "line 1, has a key with a NUL character")]
    [InlineData("dotdot", "line 1, has a key with '..'")]
    public async Task A_bad_s3_inventory_row_fails_the_job_naming_the_file_and_the_line(string fault, string expected)
    {
        var run = Run();
        var data = $"inventory/inv-src/bad-{run}/data";
        var image = (await UploadImagesAsync($"s3://inv-src/{run}", 1, seed: 94))[0];
        var rows = fault switch
        {
            "few-columns" => new[] { S3Row("inv-src", $"{run}/{image.Name}", image.Bytes), Csv("inv-src", $"{run}/x.jpg", "1", "2026-12-05T00:00:00.000Z", "e", "true") },
            "nul" => [Csv("inv-src", $"{run}/a%00b.jpg", "1", "2026-12-05T00:00:00.000Z", "e", "true", "false")],
            _ => [Csv("inv-src", $"{run}/..%2F..%2Fsecret.jpg", "1", "2026-12-05T00:00:00.000Z", "e", "true", "false")],
        };
        await WriteAsync($"s3://inv-dst/{data}", "one.csv", Encoding.UTF8.GetBytes(string.Join("\n", rows) + "\n"));
        var manifest = await S3ManifestAsync(run, "CSV", Schema, $"{data}/one.csv");

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Manifest = manifest, Model = hub.Model, Output = $"s3://inv-dst/results/{run}" }));

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Contains($"the manifest s3://inv-dst/{data}/one.csv, {expected}", done.FailureDetails!.ErrorMessage);
    }

    [Fact]
    public async Task An_s3_inventorys_other_columns_are_carried_into_the_rows()
    {
        var run = Run();
        var data = $"inventory/inv-src/carry-{run}/data";
        await WriteAsync($"s3://inv-dst/{data}", "one.csv", Encoding.UTF8.GetBytes(
            Csv("inv-src", "a.jpg", "v1", "true", "false", "12", "2026-12-05T00:00:00.000Z", "e1", "GLACIER") + "\n" +
            Csv("inv-src", "b.jpg", "v2", "true", "true", "", "2026-12-05T00:00:00.000Z", "", "") + "\n"));
        var manifest = await S3ManifestAsync(run, "CSV", "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass", $"{data}/one.csv");
        JobRequestValidator.Validate(new JobRequest { Manifest = manifest, Model = "m.onnx" }, new JobDefaults { PageSize = 8 }, () => "carry-" + run, (_, _) => "s3://inv-dst/out", out var spec);

        var page = await ManifestPages.ReadPageAsync(hub.Resources, spec!, null, _ => Serverless.Jobs.Tenancy.TenantDecision.Allow, CancellationToken.None);

        var listed = Assert.Single(page.Objects!); // b.jpg is a delete marker
        Assert.Equal(("s3://inv-src/a.jpg", 12L, "\"e1\""), (listed.Key, listed.Size, listed.ETag));
        Assert.Equal(new Dictionary<string, string> { ["VersionId"] = "\"v1\"", ["StorageClass"] = "\"GLACIER\"" }, listed.Columns);
        Assert.Equal(["VersionId", "StorageClass"], PassthroughNames.With(spec!, page));
    }

    [Fact]
    public async Task A_data_file_deleted_after_submission_fails_the_listing_naming_it()
    {
        var run = Run();
        var data = $"inventory/inv-src/gone-{run}/data";
        await WriteAsync($"s3://inv-dst/{data}", "one.csv", Encoding.UTF8.GetBytes(Csv("inv-src", "a.jpg", "1", "2026-12-05T00:00:00.000Z", "e", "true", "false") + "\n"));
        var manifest = await S3ManifestAsync(run, "CSV", Schema, $"{data}/one.csv", $"{data}/two.csv.gz");
        JobRequestValidator.Validate(new JobRequest { Manifest = manifest, Model = "m.onnx" }, new JobDefaults { PageSize = 1 }, () => "gone-" + run, (_, _) => "s3://inv-dst/out", out var spec);

        // Pages of one row: the first reads one.csv; the next goes on with the missing file.
        var first = await ManifestPages.ReadPageAsync(hub.Resources, spec!, null, _ => Serverless.Jobs.Tenancy.TenantDecision.Allow, CancellationToken.None);
        var error = await Assert.ThrowsAsync<JobConfigurationException>(() => ManifestPages.ReadPageAsync(hub.Resources, spec!, first.NextToken, _ => Serverless.Jobs.Tenancy.TenantDecision.Allow, CancellationToken.None));

        // A token past the end of a file (one replaced by a shorter one) fails the page, not a silent short listing.
        var shorter = await Assert.ThrowsAsync<JobConfigurationException>(() => ManifestPages.ReadPageAsync(hub.Resources, spec!, "0:999999:5", _ => Serverless.Jobs.Tenancy.TenantDecision.Allow, CancellationToken.None));

        Assert.Equal(["s3://inv-src/a.jpg"], first.Keys);
        Assert.Contains($"the manifest s3://inv-dst/{data}/one.csv, line 5, ends at byte ", shorter.Message);
        Assert.Contains("before byte 999999 where this page starts", shorter.Message);
        Assert.Contains($"the inventory {manifest} lists the data file s3://inv-dst/{data}/two.csv.gz, which is missing", error.Message);
    }

    [Fact]
    public async Task The_first_page_of_a_large_gzip_file_reads_only_its_start_and_a_corrupt_one_fails_naming_it()
    {
        var run = Run();
        var data = $"inventory/inv-src/large-{run}/data";
        // 60,000 rows, then the compressed bytes from the middle on overwritten: only a page that reads that far sees it.
        var gzip = Gzip(string.Join("\n", Enumerable.Range(0, 60_000).Select(i => Csv("inv-src", $"{run}/{i:D6}.jpg", "1", "2026-12-05T00:00:00.000Z", Md5(BitConverter.GetBytes(i)), "true", "false"))) + "\n");
        Array.Fill(gzip, (byte)0xFF, gzip.Length / 2, gzip.Length / 2 - 8);
        await WriteAsync($"s3://inv-dst/{data}", "big.csv.gz", gzip);
        var manifest = await S3ManifestAsync(run, "CSV", Schema, $"{data}/big.csv.gz");
        JobRequestValidator.Validate(new JobRequest { Manifest = manifest, Model = "m.onnx" }, new JobDefaults { PageSize = 8 }, () => "large-" + run, (_, _) => "s3://inv-dst/out", out var spec);

        JobRequestValidator.Validate(new JobRequest { Manifest = manifest, Model = "m.onnx" }, new JobDefaults { PageSize = 100_000 }, () => "large-" + run, (_, _) => "s3://inv-dst/out", out var wholeFile);

        var first = await ManifestPages.ReadPageAsync(hub.Resources, spec!, null, _ => Serverless.Jobs.Tenancy.TenantDecision.Allow, CancellationToken.None);
        // .NET's inflater ends quietly at the bad bytes: a page reading that far fails, and so does a page that would start past them.
        var error = await Assert.ThrowsAsync<JobConfigurationException>(() => ManifestPages.ReadPageAsync(hub.Resources, wholeFile!, null, _ => Serverless.Jobs.Tenancy.TenantDecision.Allow, CancellationToken.None));
        var later = await Assert.ThrowsAsync<JobConfigurationException>(() => ManifestPages.ReadPageAsync(hub.Resources, spec!, "0:7000000:56000", _ => Serverless.Jobs.Tenancy.TenantDecision.Allow, CancellationToken.None));

        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"s3://inv-src/{run}/{i:D6}.jpg"), first.Keys);
        Assert.Matches("^0:[0-9]+:8$", first.NextToken);
        // The inflated text ends inside a line (fields missing) or between lines (the file goes on): an error naming it.
        Assert.StartsWith($"the manifest s3://inv-dst/{data}/big.csv.gz, line ", error.Message);
        Assert.StartsWith($"the manifest s3://inv-dst/{data}/big.csv.gz, line 5600", later.Message); // 56000 ends at byte ..., or a line of garbage after it

        // Whole lines, then bytes that are no gzip: not read as the end of the file.
        await WriteAsync($"s3://inv-dst/{data}", "tail.csv.gz", [.. Gzip(Csv("inv-src", $"{run}/a.jpg", "1", "2026-12-05T00:00:00.000Z", "e", "true", "false") + "\n"), .. Enumerable.Repeat((byte)0x41, 100_000)]);
        JobRequestValidator.Validate(new JobRequest { Manifest = await S3ManifestAsync(run, "CSV", Schema, $"{data}/tail.csv.gz"), Model = "m.onnx" }, new JobDefaults { PageSize = 8 }, () => "tail-" + run, (_, _) => "s3://inv-dst/out", out var tail);
        var tailError = await Assert.ThrowsAsync<JobConfigurationException>(() => ManifestPages.ReadPageAsync(hub.Resources, tail!, null, _ => Serverless.Jobs.Tenancy.TenantDecision.Allow, CancellationToken.None));
        Assert.Contains($"the manifest s3://inv-dst/{data}/tail.csv.gz, line 1, is not a valid gzip file", tailError.Message);
    }

    [Theory]
    [InlineData("Pending", "csv", "has status Pending: only a Succeeded inventory run is read")]
    [InlineData("Succeeded", "parquet", "has format parquet: parquet inventories are not supported, only csv")]
    public async Task An_azure_inventory_that_is_not_finished_or_not_csv_is_refused_saying_so(string status, string format, string expected)
    {
        var run = Run();
        var folder = $"azblob://inventory-{run}/2026/12/05/00-00-00/rule1";
        await WriteAsync(folder, "rule1-manifest.json", Encoding.UTF8.GetBytes(AzureManifest($"inventory-{run}", status, format, "2026/12/05/00-00-00/rule1/rule1.csv")));

        var outcome = await hub.Submission.SubmitAsync(hub.Client, new JobRequest { Manifest = $"{folder}/rule1-manifest.json", Model = hub.Model, Output = $"azblob://inventory-{run}/out" }, CancellationToken.None);

        Assert.Null(outcome.JobId);
        Assert.Contains($"the inventory manifest {folder}/rule1-manifest.json {expected}", outcome.Errors["manifest"]);
    }

    [Theory]
    [InlineData("s3://inv-dst/inventory/src/cfg/2026-12-05T00-00Z/manifest.json", true)]
    [InlineData("azblob://inv/2026/12/05/00-00-00/rule1/rule1-manifest.json", true)]
    [InlineData("s3://inv-dst/inventory/other.json", false)]
    [InlineData("s3://inv-dst/inventory/data.csv.gz", false)]
    public void An_inventory_manifest_is_told_by_its_name(string manifest, bool accepted)
    {
        var errors = JobRequestValidator.Validate(new JobRequest { Manifest = manifest, Model = "m.onnx" }, new JobDefaults(), () => "id", (_, _) => "out", out _);

        Assert.Equal(accepted, !errors.ContainsKey("manifest"));
        if (!accepted)
            Assert.Contains("an inventory's manifest.json", errors["manifest"]);
    }

    private static string Run() => Guid.NewGuid().ToString("N")[..8];

    /// <summary>Writes synthetic images and uploads them under <paramref name="location"/>; returns their names and bytes.</summary>
    private async Task<List<(string Name, byte[] Bytes)>> UploadImagesAsync(string location, int count, int seed, Func<int, string?>? rename = null)
    {
        var folder = hub.WriteImages($"inv-{Guid.NewGuid().ToString("N")[..8]}", count, seed);
        var images = Directory.GetFiles(folder).Order(StringComparer.Ordinal)
            .Select((f, i) => (Name: rename?.Invoke(i) ?? Path.GetFileName(f), Bytes: File.ReadAllBytes(f))).ToList();
        await EnsureContainerAsync(location);
        foreach (var (name, bytes) in images)
            await WriteAsync(location, name, bytes);
        return images;
    }

    private async Task WriteAsync(string location, string name, byte[] bytes)
    {
        await EnsureContainerAsync(location);
        await ResultStoreFactory.Create(location, hub.Connections).WriteAsync(name, bytes);
    }

    private async Task EnsureContainerAsync(string location)
    {
        if (SourceUri.Parse(location) is { Kind: StorageKind.AzureBlob } blob)
            await new Azure.Storage.Blobs.BlobServiceClient(hub.Azurite.ConnectionString).GetBlobContainerClient(blob.Container).CreateIfNotExistsAsync();
    }

    private async Task<IReadOnlyList<PredictionRow>> ReadRowsAsync(string output)
    {
        var text = Encoding.UTF8.GetString(await ResultStoreFactory.Create(output, hub.Connections).ReadAsync(ResultWriter.PredictionsName(PredictionFormat.Jsonl)));
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(PredictionJson.Parse).ToList();
    }

    /// <summary>An S3 Inventory row as S3 writes it: every field quoted, the key URL-encoded (form encoding).</summary>
    private static string S3Row(string bucket, string key, byte[] bytes) =>
        Csv(bucket, System.Net.WebUtility.UrlEncode(key).Replace("%2F", "/"), bytes.Length.ToString(), "2026-12-05T00:00:00.000Z", Md5(bytes), "true", "false");

    private static string Csv(params string[] fields) => string.Join(",", fields.Select(f => $"\"{f}\""));

    private static string Md5(byte[] bytes) => Convert.ToHexStringLower(MD5.HashData(bytes));

    private static byte[] Gzip(string text)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest))
            gzip.Write(Encoding.UTF8.GetBytes(text));
        return memory.ToArray();
    }

    private Task<string> S3ManifestAsync(string run, string format, string schema, params string[] files) =>
        WriteManifestAsync(run, S3ManifestText(format, schema, files));

    /// <summary>An S3 Inventory manifest.json as S3 writes it (the destination bucket inv-dst, the source inv-src).</summary>
    private static string S3ManifestText(string format, string schema, params string[] files) => $$"""
        {
          "sourceBucket" : "inv-src",
          "destinationBucket" : "arn:aws:s3:::inv-dst",
          "version" : "2016-11-30",
          "creationTimestamp" : "1764892800000",
          "fileFormat" : "{{format}}",
          "fileSchema" : "{{schema}}",
          "files" : [{{string.Join(",", files.Select(f => $$"""{ "key" : "{{f}}", "size" : 100, "MD5checksum" : "0123456789abcdef0123456789abcdef" }"""))}}]
        }
        """;

    private async Task<string> WriteManifestAsync(string run, string json)
    {
        var folder = $"s3://inv-dst/inventory/inv-src/cfg-{run}/2026-12-05T00-00Z";
        await WriteAsync(folder, "manifest.json", Encoding.UTF8.GetBytes(json));
        return $"{folder}/manifest.json";
    }

    private static string AzureManifest(string container, string status, string format, params string[] blobs) => $$"""
        {
          "destinationContainer" : "{{container}}",
          "endpoint" : "https://devstoreaccount1.blob.core.windows.net",
          "files" : [{{string.Join(",", blobs.Select(b => $$"""{ "blob" : "{{b}}", "size" : 100 }"""))}}],
          "inventoryCompletionTime" : "2026-12-05T00:10:00Z",
          "inventoryStartTime" : "2026-12-05T00:00:00Z",
          "ruleDefinition" : {
            "filters" : { "blobTypes" : [ "blockBlob" ], "includeBlobVersions" : false, "includeSnapshots" : false },
            "format" : "{{format}}",
            "objectType" : "blob",
            "schedule" : "daily",
            "schemaFields" : [ "Name", "Creation-Time", "Last-Modified", "Etag", "Content-Length", "BlobType", "Deleted" ]
          },
          "ruleName" : "rule1",
          "status" : "{{status}}",
          "summary" : { "objectCount" : 11, "totalObjectSize" : 1000 },
          "version" : "1.0"
        }
        """;
}
