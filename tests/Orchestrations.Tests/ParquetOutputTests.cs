using DuckDB.NET.Data;
using Microsoft.DurableTask.Client;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Merge;
using Serverless.Orchestrations.Tests.Support;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// <c>format: parquet</c> writes <c>predictions/part-NNNNN.parquet</c> shards and joins them into
/// <c>predictions.parquet</c>; a real engine (DuckDB) reads both back: counts, a GROUP BY label, the
/// failed rows, the list columns and the model's hash.
/// </summary>
[Collection(TaskHubCollection.Name)]
public sealed class ParquetOutputTests(TaskHubHost hub)
{
    [Fact]
    public async Task A_parquet_job_reads_back_in_duckdb_single_file_and_shards()
    {
        // 22 images over three pages of 8: two merge shards of two pages each.
        var source = hub.WriteImages("parquet-" + Guid.NewGuid().ToString("N")[..6], 20, seed: 87);
        await File.WriteAllBytesAsync(Path.Combine(source, "broken.jpg"), [0xFF, 0xD8, 0xFF, 0x00]);
        await File.WriteAllTextAsync(Path.Combine(source, "notes.txt"), "not an image");
        var output = Path.Combine(hub.Root, "out-" + Path.GetFileName(source));

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, Output = output, Format = "parquet", Top = 3 }));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var single = Path.Combine(output, "predictions.parquet");
        Assert.EndsWith("predictions.parquet", done.ReadOutputAs<JobOutput>()!.Predictions);
        var shards = Directory.GetFiles(Path.Combine(output, "predictions"), "part-*.parquet");
        Assert.Equal(2, shards.Length);
        using var db = new DuckDBConnection("Data Source=:memory:");
        db.Open();

        Assert.Equal(22L, Scalar(db, $"select count(*) from '{single}'"));
        Assert.Equal(22L, Scalar(db, $"select count(*) from '{Path.Combine(output, "predictions", "*.parquet")}'"));
        Assert.Equal(22L, Scalar(db, $"select count(distinct key) from '{single}'"));
        var byLabel = Rows(db, $"select label, count(*) from '{single}' where error_code is null group by label order by label");
        Assert.Equal(20L, byLabel.Sum(r => (long)r[1]!));
        Assert.All(byLabel, r => Assert.False(string.IsNullOrEmpty((string?)r[0])));
        var failed = Rows(db, $"select key, error_code, error_message, len(top_labels), label from '{single}' where error_code is not null order by key");
        Assert.Equal(["broken.jpg", "notes.txt"], failed.Select(r => (string)r[0]!));
        Assert.Equal(["corrupt_image", "unsupported_format"], failed.Select(r => (string)r[1]!));
        Assert.All(failed, r => Assert.Equal((0L, (object?)null), (Convert.ToInt64(r[3]), r[4])));
        // Top-k as lists, best first, the top-1 columns equal to their first element.
        Assert.Equal(0L, Scalar(db, $"select count(*) from '{single}' where error_code is null and (len(top_labels) <> 3 or len(top_scores) <> 3 or len(top_indices) <> 3 or top_labels[1] <> label or top_scores[1] <> score or top_scores[1] < top_scores[2])"));
        Assert.Equal(1L, Scalar(db, $"select count(distinct model_sha256) from '{single}'"));
        Assert.Equal(22L, Scalar(db, $"select count(size) from '{single}'"));
    }

    [Fact]
    public async Task A_manifest_job_in_parquet_has_a_column_per_manifest_column_and_reads_back_with_them()
    {
        // A JSON Lines manifest whose rows have different fields: the file has every one of them.
        var source = hub.WriteImages("parquet-manifest-" + Guid.NewGuid().ToString("N")[..6], 10, seed: 88);
        var names = Directory.GetFiles(source).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        var lines = names.Select((n, i) => i < 5 ? $"{{\"key\":\"{n}\",\"site\":\"s{i}\"}}" : $"{{\"key\":\"{n}\",\"site\":\"s{i}\",\"rank\":{i}}}")
            .Append("{\"key\":\"missing.jpg\",\"site\":\"gone\"}");
        await File.WriteAllLinesAsync(Path.Combine(source, "list.jsonl"), lines);
        var output = Path.Combine(hub.Root, "out-" + Path.GetFileName(source));

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Manifest = Path.Combine(source, "list.jsonl"), Model = hub.Model, Output = output, Format = "parquet" }));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var single = Path.Combine(output, "predictions.parquet");
        using var db = new DuckDBConnection("Data Source=:memory:");
        db.Open();
        Assert.Equal(11L, Scalar(db, $"select count(site) from '{single}'"));
        Assert.Equal(5L, Scalar(db, $"select count(rank) from '{single}'"));
        Assert.Equal("not_found", Rows(db, $"select error_code from '{single}' where site = 'gone'").Single()[0]);
        Assert.Equal(9L, Scalar(db, $"select cast(rank as integer) from '{single}' where site = 's9'"));
        // Read back as the rerun and the merged view read it: the columns are the rows' fields again.
        var rows = new List<PredictionRow>();
        await foreach (var row in PredictionsReader.ReadAsync(ResultStoreFactory.Create(output, new StorageConnections()), CancellationToken.None))
            rows.Add(row);
        Assert.Equal(11, rows.Count);
        Assert.Equal("gone", rows.Single(r => r.Key == "missing.jpg").Columns!["site"].GetString());
        Assert.Equal("7", rows.Single(r => r.Key == names[7]).Columns!["rank"].GetString());
    }

    [Fact]
    public async Task A_manifest_column_named_like_a_parquet_column_fails_the_parquet_job_naming_it()
    {
        var source = hub.WriteImages("parquet-clash-" + Guid.NewGuid().ToString("N")[..6], 2, seed: 89);
        var names = Directory.GetFiles(source).Select(Path.GetFileName).ToArray();
        await File.WriteAllLinesAsync(Path.Combine(source, "list.csv"), ["key,label", .. names.Select(n => $"{n},cat")]);

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Manifest = Path.Combine(source, "list.csv"), Model = hub.Model, Output = Path.Combine(hub.Root, "out-" + Path.GetFileName(source)), Format = "parquet" }));

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Contains("has a column 'label', a column the Parquet predictions already have", done.FailureDetails!.ErrorMessage);
    }

    private static long Scalar(DuckDBConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar());
    }

    private static List<object?[]> Rows(DuckDBConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i)).ToArray());
        return rows;
    }
}
