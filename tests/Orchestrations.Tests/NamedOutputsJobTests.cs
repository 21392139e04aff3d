using DuckDB.NET.Data;
using Microsoft.DurableTask.Client;
using Serverless.BatchInference.Contracts;
using Serverless.ModelZoo;
using Serverless.Jobs.Merge;
using Serverless.Orchestrations.Tests.Support;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// A job's <c>outputs</c>: the named model outputs are stored per image as float vectors, a
/// <c>list&lt;float&gt;</c> column of that name in Parquet (read back with DuckDB) and a field of that
/// name in JSONL; a feature extractor runs with <c>outputs</c> alone; a name the model does not have
/// fails the job at start naming it, and what can be judged without the model is a 400.
/// </summary>
[Collection(TaskHubCollection.Name)]
public sealed class NamedOutputsJobTests(TaskHubHost hub)
{
    [Fact]
    public async Task Features_go_to_a_parquet_column_and_a_jsonl_field_per_image()
    {
        var source = hub.WriteImages("features-" + Guid.NewGuid().ToString("N")[..6], 10, seed: 41);
        await File.WriteAllBytesAsync(Path.Combine(source, "broken.jpg"), [0xFF, 0xD8, 0xFF, 0x00]);
        var parquetOut = Path.Combine(hub.Root, "out-parquet-" + Path.GetFileName(source));
        var jsonlOut = Path.Combine(hub.Root, "out-jsonl-" + Path.GetFileName(source));

        var parquetJob = await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, Output = parquetOut, Format = "parquet", Outputs = ["features"] });
        var jsonlJob = await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, Output = jsonlOut, Outputs = ["features"] });
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await hub.WaitAsync(parquetJob)).RuntimeStatus);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await hub.WaitAsync(jsonlJob)).RuntimeStatus);

        var single = Path.Combine(parquetOut, "predictions.parquet");
        using var db = new DuckDBConnection("Data Source=:memory:");
        db.Open();
        Assert.Equal("FLOAT[]", Scalar<string>(db, $"select typeof(features) from '{single}' limit 1"));
        Assert.Equal(11L, Scalar<long>(db, $"select count(*) from '{single}'"));
        Assert.Equal(10L, Scalar<long>(db, $"select count(*) from '{single}' where error_code is null and len(features) = 3 and label is not null"));
        Assert.Equal("broken.jpg", Scalar<string>(db, $"select key from '{single}' where features is null"));

        var lines = await File.ReadAllLinesAsync(Path.Combine(jsonlOut, "predictions.jsonl"));
        var rows = lines.Select(l => PredictionJson.Parse(l, ["features"])).ToDictionary(r => r.Key);
        Assert.Equal(11, rows.Count);
        Assert.All(lines.Where(l => !l.Contains("broken.jpg", StringComparison.Ordinal)), l => Assert.Contains("\"features\":[", l));
        Assert.Null(rows["broken.jpg"].Outputs);
        // The same images give the same vectors in both formats (DuckDB lists count from 1).
        var key = rows.Keys.First(k => k != "broken.jpg");
        var vector = rows[key].Outputs!["features"];
        Assert.Equal(3, vector.Length);
        for (var i = 0; i < 3; i++)
            Assert.Equal(vector[i], Scalar<float>(db, $"select features[{i + 1}] from '{single}' where key = '{key}'"), 5);

        // Read back from Parquet (the merged view, a rerun, skipExisting), a row keeps its vectors.
        var parquetRows = new Dictionary<string, PredictionRow>();
        await foreach (var row in PredictionsReader.ReadAsync(ResultStoreFactory.Create(parquetOut, new StorageConnections()), CancellationToken.None))
            parquetRows[row.Key] = row;
        Assert.Equal(vector, parquetRows[key].Outputs!["features"]);
        Assert.Null(parquetRows["broken.jpg"].Outputs);

        // skipExisting copies rows that carry the vectors, with them, whether read from JSONL or Parquet.
        var copied = Path.Combine(hub.Root, "out-copied-" + Path.GetFileName(source));
        var again = Path.Combine(hub.Root, "out-again-" + Path.GetFileName(source));
        var copiedJob = await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, Output = copied, Format = "parquet", Outputs = ["features"], SkipExisting = jsonlOut });
        var againJob = await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, Output = again, Outputs = ["features"], SkipExisting = parquetOut });
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await hub.WaitAsync(copiedJob)).RuntimeStatus);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await hub.WaitAsync(againJob)).RuntimeStatus);
        Assert.Equal(10L, await SkippedAsync(copied));
        Assert.Equal(10L, Scalar<long>(db, $"select count(*) from '{Path.Combine(copied, "predictions.parquet")}' where len(features) = 3"));
        Assert.Equal(10L, await SkippedAsync(again));
        Assert.Equal(10, (await File.ReadAllLinesAsync(Path.Combine(again, "predictions.jsonl"))).Count(l => l.Contains("\"features\":[", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_feature_extractor_runs_with_outputs_alone_and_its_rows_have_no_top_k()
    {
        var model = Path.Combine(hub.Root, "models", "extractor", "dominant-color-features.onnx");
        ModelZooWriter.Write(ModelZooWriter.TestVariantNames[2], model);
        var source = hub.WriteImages("extract-" + Guid.NewGuid().ToString("N")[..6], 5, seed: 42);
        var output = Path.Combine(hub.Root, "out-" + Path.GetFileName(source));

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Source = source, Model = model, Output = output, Outputs = ["features"] }));

        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, done.FailureDetails?.ErrorMessage);
        var rows = (await File.ReadAllLinesAsync(Path.Combine(output, "predictions.jsonl"))).Select(l => PredictionJson.Parse(l, ["features"])).ToList();
        Assert.Equal(5, rows.Count);
        Assert.All(rows, r => Assert.True(!r.Failed && r.Top.Count == 0 && r.Outputs!["features"].Length == 3, r.ErrorMessage));
    }

    [Fact]
    public async Task An_output_the_model_does_not_have_fails_the_job_naming_it_and_bad_requests_are_400s()
    {
        var source = hub.WriteImages("unknown-output-" + Guid.NewGuid().ToString("N")[..6], 2, seed: 43);

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, Outputs = ["features", "embedding"] }));

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        var message = done.FailureDetails!.ErrorMessage;
        Assert.Contains("'embedding'", message);
        Assert.Contains("probabilities [?, 10] float (class), features [?, 3] float (features)", message);

        foreach (var (request, expected) in new (JobRequest, string)[]
        {
            (new() { Source = source, Model = hub.Model, Format = "csv", Outputs = ["features"] }, "format csv"),
            (new() { Source = source, Model = hub.Model, Outputs = [] }, "is empty"),
            (new() { Source = source, Model = hub.Model, Outputs = ["features", "features"] }, "twice"),
            (new() { Source = source, Model = hub.Model, Outputs = ["top_labels"] }, "a field of every row"),
        })
        {
            var outcome = await hub.Submission.SubmitAsync(hub.Client, request, CancellationToken.None);
            Assert.Null(outcome.JobId);
            Assert.Contains(expected, outcome.Errors["outputs"]);
        }
    }

    private static async Task<long> SkippedAsync(string output)
    {
        using var summary = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, ResultWriter.SummaryName)));
        return summary.RootElement.GetProperty("skipped").GetInt64();
    }

    private static T Scalar<T>(DuckDBConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }
}
