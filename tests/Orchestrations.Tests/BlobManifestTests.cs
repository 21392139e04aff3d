using System.Text;
using DuckDB.NET.Data;
using Microsoft.DurableTask.Client;
using Serverless.BatchInference.Contracts;
using Serverless.Orchestrations.Tests.Support;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// CSV and JSON Lines manifests on Azure Blob (Azurite), as <see cref="ManifestSourceTests"/> runs them on a
/// local folder: keys of the manifest's container and of another container of the account, a missing
/// blob a <c>not_found</c> row, the other columns passed through, Parquet output read back by DuckDB,
/// and a malformed manifest a failed job naming the line.
/// </summary>
[Collection(TaskHubCollection.Name)]
public sealed class BlobManifestTests(TaskHubHost hub)
{
    [Fact]
    public async Task A_csv_manifest_in_a_container_writes_parquet_with_each_image_once_and_a_not_found_row()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var (container, other) = ($"mcsv-{run}", $"mcsv-other-{run}");
        var names = await UploadImagesAsync(container, 9, seed: 95);
        var elsewhere = await UploadImagesAsync(other, 1, seed: 96);
        var lines = new List<string> { "site,path" };
        lines.AddRange(names.Select((n, i) => $"site-{i},{n}"));
        lines.Add($"site-o,azblob://{other}/{elsewhere[0]}");
        lines.Add("site-x,missing.jpg");
        await WriteAsync($"azblob://{container}", "lists/list.csv", string.Join("\n", lines));
        var output = $"azblob://{container}/out";

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest
        {
            Manifest = $"azblob://{container}/lists/list.csv", ManifestKeyColumn = "path", Model = hub.Model, Output = output, Format = "parquet",
        }));

        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, done.FailureDetails?.ErrorMessage);
        using var spool = new Serverless.TestSupport.TempDir("blob-parquet");
        var file = Path.Combine(spool.Path, "predictions.parquet");
        await File.WriteAllBytesAsync(file, await ResultStoreFactory.Create(output, hub.Connections).ReadAsync("predictions.parquet"));
        using var db = new DuckDBConnection("Data Source=:memory:");
        db.Open();
        // 11 rows over two pages of 8: every image once, the other container's by its location, the missing one not_found.
        Assert.Equal(11L, Scalar(db, $"select count(*) from '{file}'"));
        Assert.Equal(11L, Scalar(db, $"select count(distinct key) from '{file}'"));
        Assert.Equal(10L, Scalar(db, $"select count(*) from '{file}' where error_code is null and label is not null"));
        Assert.Equal(1L, Scalar(db, $"select count(*) from '{file}' where key = 'azblob://{other}/{elsewhere[0]}' and error_code is null"));
        Assert.Equal(1L, Scalar(db, $"select count(*) from '{file}' where key = 'missing.jpg' and error_code = 'not_found'"));
        Assert.Equal(9L, Scalar(db, $"select count(*) from '{file}' where key in ({string.Join(",", names.Select(n => $"'{n}'"))})"));
    }

    [Fact]
    public async Task A_jsonl_manifest_in_a_container_passes_its_properties_through()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var container = $"mjsonl-{run}";
        var names = await UploadImagesAsync(container, 3, seed: 97);
        await WriteAsync($"azblob://{container}", "list.jsonl", string.Join("\n", names.Select((n, i) => $"{{\"key\":\"{n}\",\"rank\":{i}}}")));
        var output = $"azblob://{container}/out";

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Manifest = $"azblob://{container}/list.jsonl", Model = hub.Model, Output = output }));

        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, done.FailureDetails?.ErrorMessage);
        var text = Encoding.UTF8.GetString(await ResultStoreFactory.Create(output, hub.Connections).ReadAsync(ResultWriter.PredictionsName(PredictionFormat.Jsonl)));
        var rows = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(PredictionJson.Parse).ToList();
        Assert.Equal(names.Order(), rows.Select(r => r.Key).Order());
        Assert.All(rows, r => Assert.Null(r.ErrorCode));
        Assert.All(rows, r => Assert.Equal(Array.IndexOf(names, r.Key), r.Columns!["rank"].GetInt32()));
    }

    [Fact]
    public async Task A_malformed_csv_manifest_in_a_container_fails_the_job_naming_the_line()
    {
        var container = $"mbad-{Guid.NewGuid().ToString("N")[..8]}";
        await WriteAsync($"azblob://{container}", "list.csv", "key\na.jpg\nb.jpg,extra\n");

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Manifest = $"azblob://{container}/list.csv", Model = hub.Model, Output = $"azblob://{container}/out" }));

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Contains($"the manifest azblob://{container}/list.csv, line 3, has 2 fields, the header 1", done.FailureDetails!.ErrorMessage);
    }

    private async Task<string[]> UploadImagesAsync(string container, int count, int seed)
    {
        var folder = hub.WriteImages($"blob-{Guid.NewGuid().ToString("N")[..8]}", count, seed);
        var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToArray();
        foreach (var file in files)
            await WriteAsync($"azblob://{container}", Path.GetFileName(file), await File.ReadAllBytesAsync(file));
        return files.Select(Path.GetFileName).ToArray()!;
    }

    private Task WriteAsync(string location, string name, string text) => WriteAsync(location, name, Encoding.UTF8.GetBytes(text));

    private async Task WriteAsync(string location, string name, byte[] bytes)
    {
        await new Azure.Storage.Blobs.BlobServiceClient(hub.Azurite.ConnectionString).GetBlobContainerClient(SourceUri.Parse(location).Container).CreateIfNotExistsAsync();
        await ResultStoreFactory.Create(location, hub.Connections).WriteAsync(name, bytes);
    }

    private static long Scalar(DuckDBConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar());
    }
}
