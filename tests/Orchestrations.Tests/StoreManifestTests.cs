using System.Text;
using DuckDB.NET.Data;
using Microsoft.DurableTask.Client;
using Serverless.BatchInference.Contracts;
using Serverless.Orchestrations.Tests.Support;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// CSV and JSON Lines manifests on the object stores, Azure Blob (Azurite) and S3 (s3rver), as
/// <see cref="ManifestSourceTests"/> runs them on a local folder: keys of the manifest's bucket or container
/// and of another one of the same store, a missing object a <c>not_found</c> row, the other columns passed
/// through, Parquet output read back by DuckDB, and a malformed manifest a failed job naming the line.
/// </summary>
[Collection(TaskHubCollection.Name)]
public sealed class StoreManifestTests(TaskHubHost hub)
{
    [Theory]
    [InlineData("azblob")]
    [InlineData("s3")]
    public async Task A_csv_manifest_writes_parquet_with_each_image_once_and_a_not_found_row(string store)
    {
        var (home, prefix, other) = Places(store, "mcsv");
        var names = await UploadImagesAsync(home, prefix, 9, seed: 95);
        var elsewhere = await UploadImagesAsync(other, prefix, 1, seed: 96);
        var lines = new List<string> { "site,path" };
        lines.AddRange(names.Select((n, i) => $"site-{i},{n}"));
        lines.Add($"site-o,{other}/{elsewhere[0]}");
        lines.Add($"site-x,{prefix}missing.jpg");
        await WriteAsync(home, $"{prefix}lists/list.csv", string.Join("\n", lines));
        var output = $"{home}/{prefix}out";

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest
        {
            Manifest = $"{home}/{prefix}lists/list.csv", ManifestKeyColumn = "path", Model = hub.Model, Output = output, Format = "parquet",
        }));

        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, done.FailureDetails?.ErrorMessage);
        using var spool = new Serverless.TestSupport.TempDir("store-parquet");
        var file = Path.Combine(spool.Path, "predictions.parquet");
        await File.WriteAllBytesAsync(file, await ResultStoreFactory.Create(output, hub.Connections).ReadAsync("predictions.parquet"));
        using var db = new DuckDBConnection("Data Source=:memory:");
        db.Open();
        // 11 rows over two pages of 8: every image once, the other container's by its location, the missing one not_found.
        Assert.Equal(11L, Scalar(db, $"select count(*) from '{file}'"));
        Assert.Equal(11L, Scalar(db, $"select count(distinct key) from '{file}'"));
        Assert.Equal(10L, Scalar(db, $"select count(*) from '{file}' where error_code is null and label is not null"));
        Assert.Equal(1L, Scalar(db, $"select count(*) from '{file}' where key = '{other}/{elsewhere[0]}' and error_code is null"));
        Assert.Equal(1L, Scalar(db, $"select count(*) from '{file}' where key = '{prefix}missing.jpg' and error_code = 'not_found'"));
        Assert.Equal(9L, Scalar(db, $"select count(*) from '{file}' where key in ({string.Join(",", names.Select(n => $"'{n}'"))})"));
    }

    [Theory]
    [InlineData("azblob")]
    [InlineData("s3")]
    public async Task A_jsonl_manifest_passes_its_properties_through(string store)
    {
        var (home, prefix, _) = Places(store, "mjsonl");
        var names = await UploadImagesAsync(home, prefix, 3, seed: 97);
        await WriteAsync(home, $"{prefix}list.jsonl", string.Join("\n", names.Select((n, i) => $"{{\"key\":\"{n}\",\"rank\":{i}}}")));
        var output = $"{home}/{prefix}out";

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Manifest = $"{home}/{prefix}list.jsonl", Model = hub.Model, Output = output }));

        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, done.FailureDetails?.ErrorMessage);
        var text = Encoding.UTF8.GetString(await ResultStoreFactory.Create(output, hub.Connections).ReadAsync(ResultWriter.PredictionsName(PredictionFormat.Jsonl)));
        var rows = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(PredictionJson.Parse).ToList();
        Assert.Equal(names.Order(), rows.Select(r => r.Key).Order());
        Assert.All(rows, r => Assert.Null(r.ErrorCode));
        Assert.All(rows, r => Assert.Equal(Array.IndexOf(names, r.Key), r.Columns!["rank"].GetInt32()));
    }

    [Theory]
    [InlineData("azblob")]
    [InlineData("s3")]
    public async Task A_malformed_csv_manifest_fails_the_job_naming_the_line(string store)
    {
        var (home, prefix, _) = Places(store, "mbad");
        await WriteAsync(home, $"{prefix}list.csv", "key\na.jpg\nb.jpg,extra\n");

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Manifest = $"{home}/{prefix}list.csv", Model = hub.Model, Output = $"{home}/{prefix}out" }));

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Contains($"the manifest {home}/{prefix}list.csv, line 3, has 2 fields, the header 1", done.FailureDetails!.ErrorMessage);
    }

    /// <summary>
    /// Where a test of <paramref name="store"/> writes: its own container (keys without prefix) and another
    /// one on Azurite; a prefix of its own in s3rver's buckets (created when it starts) on S3.
    /// </summary>
    private static (string Home, string Prefix, string Other) Places(string store, string name)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        return store == "s3" ? ("s3://inv-src", $"{name}-{run}/", "s3://inv-other") : ($"azblob://{name}-{run}", "", $"azblob://{name}-other-{run}");
    }

    /// <summary>Uploads synthetic images under <paramref name="prefix"/> of <paramref name="home"/>; returns their keys there.</summary>
    private async Task<string[]> UploadImagesAsync(string home, string prefix, int count, int seed)
    {
        var folder = hub.WriteImages($"store-{Guid.NewGuid().ToString("N")[..8]}", count, seed);
        var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToArray();
        foreach (var file in files)
            await WriteAsync(home, prefix + Path.GetFileName(file), await File.ReadAllBytesAsync(file));
        return files.Select(f => prefix + Path.GetFileName(f)).ToArray();
    }

    private Task WriteAsync(string location, string name, string text) => WriteAsync(location, name, Encoding.UTF8.GetBytes(text));

    private async Task WriteAsync(string location, string name, byte[] bytes)
    {
        if (SourceUri.Parse(location) is { Kind: StorageKind.AzureBlob } blob)
            await new Azure.Storage.Blobs.BlobServiceClient(hub.Azurite.ConnectionString).GetBlobContainerClient(blob.Container).CreateIfNotExistsAsync();
        await ResultStoreFactory.Create(location, hub.Connections).WriteAsync(name, bytes);
    }

    private static long Scalar(DuckDBConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar());
    }
}
