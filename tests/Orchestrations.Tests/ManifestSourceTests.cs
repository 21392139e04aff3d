using Microsoft.DurableTask.Client;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Merge;
using Serverless.Orchestrations.Tests.Support;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// A job over a manifest (<c>manifest</c>, <c>manifestKeyColumn</c>) instead of a prefix: listed in
/// pages like a prefix, its other columns carried into the rows, a missing object a <c>not_found</c>
/// row, a manifest's bad rows a failed job naming the line; a request naming both sources, a missing
/// manifest or a CSV without its key column a 400 naming <c>manifest</c>.
/// </summary>
[Collection(TaskHubCollection.Name)]
public sealed class ManifestSourceTests(TaskHubHost hub)
{
    [Fact]
    public async Task A_csv_manifest_over_two_pages_carries_its_columns_and_gives_missing_objects_not_found_rows()
    {
        var (folder, names) = Images("csv", 10);
        var lines = new List<string> { "site,path,note" };
        lines.AddRange(names.Select((n, i) => $"site-{i},{n},\"a, quoted \"\"note\"\"\""));
        lines.Add("site-x,missing.jpg,gone");
        await File.WriteAllLinesAsync(Path.Combine(folder, "list.csv"), lines);
        var output = Path.Combine(hub.Root, "out-" + Path.GetFileName(folder));

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest
        {
            Manifest = Path.Combine(folder, "list.csv"), ManifestKeyColumn = "path", Model = hub.Model, Output = output,
        }));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var rows = (await hub.ReadPredictionsAsync(output)).ToDictionary(r => r.Key);
        Assert.Equal(11, rows.Count); // two pages of 8: the manifest was listed in pages
        Assert.Equal("not_found", rows["missing.jpg"].ErrorCode);
        Assert.Equal("gone", rows["missing.jpg"].Columns!["note"].GetString());
        for (var i = 0; i < names.Length; i++)
        {
            Assert.Null(rows[names[i]].ErrorCode);
            Assert.Equal($"site-{i}", rows[names[i]].Columns!["site"].GetString());
            Assert.Equal("a, quoted \"note\"", rows[names[i]].Columns!["note"].GetString());
            Assert.False(rows[names[i]].Columns!.ContainsKey("path"));
        }
    }

    [Fact]
    public async Task A_csv_job_over_a_csv_manifest_has_its_columns_after_the_fixed_ones_and_reads_back_with_them()
    {
        var (folder, names) = Images("csv-out", 20); // three pages: two merge shards
        await File.WriteAllLinesAsync(Path.Combine(folder, "list.csv"), ["site,key,note", .. names.Select((n, i) => $"site-{i},{n},\"a, b\""), "site-x,missing.jpg,gone"]);
        var output = Path.Combine(hub.Root, "out-" + Path.GetFileName(folder));

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Manifest = Path.Combine(folder, "list.csv"), Model = hub.Model, Output = output, Format = "csv" }));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var lines = await File.ReadAllLinesAsync(Path.Combine(output, "predictions.csv"));
        Assert.Equal(PredictionCsv.Header + ",site,note", lines[0]);
        Assert.Equal(22, lines.Length);
        Assert.EndsWith(",site-x,gone", lines.Single(l => l.StartsWith("missing.jpg,", StringComparison.Ordinal)));
        // Read back (results, reruns, skipExisting), every shard's rows keep them, though only the first shard has the header.
        var rows = new List<PredictionRow>();
        await foreach (var row in PredictionsReader.ReadAsync(ResultStoreFactory.Create(output, new StorageConnections()), CancellationToken.None))
            rows.Add(row);
        Assert.Equal(21, rows.Count);
        Assert.All(rows.Where(r => r.Key != "missing.jpg"), r => Assert.Equal(($"site-{Array.IndexOf(names, r.Key)}", "a, b"), (r.Columns!["site"].GetString(), r.Columns!["note"].GetString())));
        Assert.Equal("not_found", rows.Single(r => r.Key == "missing.jpg").ErrorCode);

        // A column named like one of the CSV's own fails the job naming it.
        await File.WriteAllLinesAsync(Path.Combine(folder, "clash.csv"), ["key,label", .. names.Select(n => $"{n},cat")]);
        var clash = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Manifest = Path.Combine(folder, "clash.csv"), Model = hub.Model, Output = output + "-clash", Format = "csv" }));
        Assert.Equal(OrchestrationRuntimeStatus.Failed, clash.RuntimeStatus);
        Assert.Contains("has a column 'label', a column the CSV predictions already have", clash.FailureDetails!.ErrorMessage);
    }

    [Fact]
    public async Task A_jsonl_manifest_with_the_default_key_column_passes_its_other_properties_through()
    {
        var (folder, names) = Images("jsonl", 3);
        await File.WriteAllLinesAsync(Path.Combine(folder, "list.jsonl"), names.Select((n, i) => $"{{\"key\":\"{n}\",\"rank\":{i}}}"));
        var output = Path.Combine(hub.Root, "out-" + Path.GetFileName(folder));

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Manifest = Path.Combine(folder, "list.jsonl"), Model = hub.Model, Output = output }));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var rows = await hub.ReadPredictionsAsync(output);
        Assert.Equal(names.Order(), rows.Select(r => r.Key).Order());
        Assert.All(rows, r => Assert.Equal(Array.IndexOf(names, r.Key), r.Columns!["rank"].GetInt32()));
    }

    [Theory]
    [InlineData("key\na.jpg\nb.jpg,extra\n", "line 3, has 2 fields, the header 1")]
    [InlineData("key\n", "line 1, has a header and no rows")]
    [InlineData("key\n../../etc/passwd\n", "line 2, has a key with '..'")]
    public async Task A_malformed_manifest_fails_the_job_naming_the_line(string text, string expected)
    {
        var (folder, _) = Images("bad", 0);
        await File.WriteAllTextAsync(Path.Combine(folder, "list.csv"), text);

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Manifest = Path.Combine(folder, "list.csv"), Model = hub.Model, Output = Path.Combine(folder, "out") }));

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Contains($"the manifest {Path.Combine(folder, "list.csv")}, {expected}", done.FailureDetails!.ErrorMessage);
    }

    [Theory]
    [InlineData("path\na.jpg\n", "list.csv", "line 1, has no column 'key' in its header (manifestKeyColumn); its columns are path")]
    [InlineData("", "list.csv", "line 1, is empty: a CSV manifest needs a header line")]
    [InlineData(null, "gone.csv", "is missing")]
    [InlineData(null, "back\\slash.csv", "cannot be read: 'back\\slash.csv' is not a relative")]
    public async Task A_missing_manifest_or_a_csv_without_its_key_column_is_refused_at_submission_naming_manifest(string? text, string name, string expected)
    {
        var (folder, _) = Images("header", 0);
        if (text is not null)
            await File.WriteAllTextAsync(Path.Combine(folder, name), text);

        var outcome = await hub.Submission.SubmitAsync(hub.Client, new JobRequest { Manifest = Path.Combine(folder, name), Model = hub.Model, Output = Path.Combine(folder, "out") }, CancellationToken.None);

        Assert.Null(outcome.JobId);
        Assert.Contains($"the manifest {Path.Combine(folder, name)}", outcome.Errors["manifest"]);
        Assert.Contains(expected, outcome.Errors["manifest"]);
    }

    [Theory]
    [InlineData("s3://b/images", "s3://b/list.csv", null, "manifest", "either source or manifest")]
    [InlineData(null, "s3://b/list.parquet", null, "manifest", ".csv or .jsonl")]
    [InlineData("s3://b/images", null, "path", "manifestKeyColumn", "only for a manifest")]
    [InlineData(null, null, null, "source", "or a manifest")]
    public async Task A_request_with_a_bad_manifest_field_is_refused_naming_it(string? source, string? manifest, string? keyColumn, string field, string expected)
    {
        var outcome = await hub.Submission.SubmitAsync(hub.Client, new JobRequest { Source = source, Manifest = manifest, ManifestKeyColumn = keyColumn, Model = hub.Model }, CancellationToken.None);

        Assert.Null(outcome.JobId);
        Assert.Contains(expected, outcome.Errors[field]);
    }

    private (string Folder, string[] Names) Images(string name, int count)
    {
        var folder = hub.WriteImages($"manifest-{name}-{Guid.NewGuid().ToString("N")[..6]}", count, seed: 89);
        return (folder, Directory.GetFiles(folder).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());
    }
}
