using System.Text;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Merge;
using Serverless.Jobs.Pages;
using Serverless.Orchestrations.Tests.Support;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// The merge's own rules, on a local result store with page records written by hand: rows in page
/// then part order, each key once, a heal pass's rows in place of the failed reads, the CSV
/// header in shard 0 only, the summary added up from the shards, and a missing part named.
/// </summary>
public sealed class ShardMergeTests() : LocalStoreTest("shard-merge")
{
    private const string Job = "merge-job";

    [Fact]
    public async Task Shards_keep_page_and_part_order_drop_a_key_merged_twice_and_take_healed_rows()
    {
        var writer = new ResultWriter(Store);
        await writer.WriteRowsAsync(JobWorkArea.Part(Job, "parts/p0-b"), [Row("k3.jpg", "cat"), PredictionRow.Failure("gone.jpg", "read_failed", "503")]);
        await writer.WriteRowsAsync(JobWorkArea.Part(Job, "parts/p0-a"), [Row("k1.jpg", "dog"), Row("k2.jpg", "cat")]);
        await writer.WriteRowsAsync(JobWorkArea.Part(Job, "parts/heal-0"), [Row("gone.jpg", "dog")]);
        await writer.WriteRowsAsync(JobWorkArea.Part(Job, "parts/p1-a"), [Row("k2.jpg", "dog"), PredictionRow.Failure("bad.jpg", "decode_failed", "not an image")]);
        // A part no page record names (another job's, or a stale one): never merged.
        await writer.WriteRowsAsync(JobWorkArea.Part(Job, "parts/stray"), [Row("stray.jpg", "cat")]);
        await PageManifests.WriteRecordAsync(Store, Job, 0, new PageRecord(4, ["parts/p0-a", "parts/p0-b"], ReadFailed: 1, HealPart: "parts/heal-0"), default);
        await PageManifests.WriteRecordAsync(Store, Job, 1, new PageRecord(2, ["parts/p1-a"]), default);

        var merger = new ShardMerger(Store);
        var first = await merger.MergeAsync(Job, 0, 0, 1, "csv", default);
        var second = await merger.MergeAsync(Job, 1, 1, 1, "csv", default);

        var shard0 = Lines(ShardMerger.ShardName(0, "csv"));
        Assert.Equal(PredictionCsv.Header, shard0[0]);
        Assert.Equal(["k1.jpg", "k2.jpg", "k3.jpg", "gone.jpg"], shard0.Skip(1).Select(l => l.Split(',')[0]));
        Assert.StartsWith("gone.jpg,dog,", shard0[4]);
        var shard1 = Lines(ShardMerger.ShardName(1, "csv"));
        Assert.DoesNotContain(PredictionCsv.Header, shard1);
        Assert.Equal(["k2.jpg", "bad.jpg"], shard1.Select(l => l.Split(',')[0]));
        Assert.Equal((4L, 0L, 1L, 2), (first.Rows, first.Failed, first.Healed, first.Parts));
        Assert.Equal((2L, 1L), (second.Rows, second.Failed));

        // Within a shard a key merged twice is dropped (a unit rerun after a crash wrote it again).
        await PageManifests.WriteRecordAsync(Store, Job, 2, new PageRecord(2, ["parts/p0-a", "parts/p0-a"]), default);
        var twice = await merger.MergeAsync(Job, 2, 2, 1, "jsonl", default);
        Assert.Equal((2L, 2L), (twice.Rows, twice.DuplicatesDropped));
        Assert.Equal(["k1.jpg", "k2.jpg"], Lines(ShardMerger.ShardName(2, "jsonl")).Select(l => PredictionJson.Parse(l).Key));
    }

    [Fact]
    public async Task Parquet_parts_of_a_parquet_job_merge_with_json_lines_ones_in_either_format()
    {
        // A Parquet job's units write Parquet; a crashed image's row and the heal pass's are JSON Lines.
        var spec = new JobSpec(Job, "/src", "m.onnx", null, 2, 8, 2, Store.Location.ToString(), "parquet", 2, null, null);
        var unit = PartNames.Written(PartNames.For(0, 0), spec.Format);
        Assert.EndsWith(".parquet", unit);
        await PartRows.WriteAsync(Store, spec, unit, [Row("k1.jpg", "dog"), PredictionRow.Failure("gone.jpg", "read_failed", "503"), Row("k2.jpg", "cat")], default);
        var crashed = PartNames.ForSplit(PartNames.For(0, 1), 0);
        await PartRows.WriteAsync(Store, spec, crashed, [PredictionRow.Failure("bad.jpg", "worker_crashed", "died"), Row("k1.jpg", "cat")], default);
        await PartRows.WriteAsync(Store, spec, "parts/heal-0.jsonl", [Row("gone.jpg", "cat")], default);
        await PageManifests.WriteRecordAsync(Store, Job, 0, new PageRecord(4, [unit, crashed], ReadFailed: 1, HealPart: "parts/heal-0.jsonl"), default);
        var merger = new ShardMerger(Store);

        var asParquet = await merger.MergeAsync(Job, 0, 0, 1, "parquet", default);
        var asJson = await merger.MergeAsync(Job, 1, 0, 1, "jsonl", default);

        var parquetRows = new List<PredictionRow>();
        await using (var file = File.OpenRead(Path.Combine(Store.Location.LocalPath, ShardMerger.ShardName(0, "parquet"))))
            await foreach (var row in ParquetRows.ReadAsync(file, default))
                parquetRows.Add(row);
        var jsonRows = Lines(ShardMerger.ShardName(1, "jsonl")).Select(l => PredictionJson.Parse(l)).ToList();
        Assert.Equal(["k1.jpg", "gone.jpg", "k2.jpg", "bad.jpg"], parquetRows.Select(r => r.Key));
        Assert.Equal(parquetRows.Select(PredictionJson.Serialize), jsonRows.Select(PredictionJson.Serialize));
        Assert.Equal("cat", parquetRows[1].Top[0].Label);
        Assert.Equal((4L, 1L, 1L, 1L), (asParquet.Rows, asParquet.Failed, asParquet.Healed, asParquet.DuplicatesDropped));
        Assert.Equal((asParquet.Rows, asParquet.Failed, asParquet.Healed), (asJson.Rows, asJson.Failed, asJson.Healed));
    }

    [Fact]
    public async Task The_join_writes_one_file_from_the_shards_and_a_summary_of_their_counts()
    {
        var writer = new ResultWriter(Store);
        await writer.WriteRowsAsync(JobWorkArea.Part(Job, "parts/a"), [Row("a.jpg", "cat"), PredictionRow.Failure("b.jpg", "too_large", "said \"no\"")]);
        await writer.WriteRowsAsync(JobWorkArea.Part(Job, "parts/b"), [Row("c,1.jpg", "cat"), Row("d.jpg", "dog")]);
        await PageManifests.WriteRecordAsync(Store, Job, 0, new PageRecord(2, ["parts/a"]), default);
        await PageManifests.WriteRecordAsync(Store, Job, 1, new PageRecord(2, ["parts/b"]), default);
        var merger = new ShardMerger(Store);
        await merger.MergeAsync(Job, 0, 0, 1, "csv", default);
        await merger.MergeAsync(Job, 1, 1, 1, "csv", default);
        var spec = new JobSpec(Job, "/src", "m.onnx", null, 2, 8, 2, Store.Location.ToString(), "csv", 2, null, null);

        var summary = await new ResultsJoin(Store).JoinAsync(spec, 2, new SummaryInput(), [], null, default);

        Assert.Equal("predictions.csv", summary.Predictions);
        Assert.Equal(
            PredictionCsv.Header + "\n" + string.Join("\n", Lines(ShardMerger.ShardName(0, "csv")).Skip(1).Concat(Lines(ShardMerger.ShardName(1, "csv")))) + "\n",
            Encoding.UTF8.GetString(await Store.ReadAsync("predictions.csv")));
        Assert.Contains("\"c,1.jpg\",cat,", Encoding.UTF8.GetString(await Store.ReadAsync("predictions.csv")));
        Assert.Equal((4L, 3L, 1L, 2), (summary.Total, summary.Succeeded, summary.Failed, summary.Shards));
        Assert.Equal(new Dictionary<string, long> { ["too_large"] = 1 }, summary.FailuresByReason);
        Assert.Equal(new Dictionary<string, long> { ["cat"] = 2, ["dog"] = 1 }, summary.ClassHistogram);
        Assert.True(await Store.ExistsAsync(ResultsJoin.ManifestName));
        Assert.Equal(summary.Total, (await writer.ReadSummaryAsync()).Total);
    }

    [Fact]
    public async Task A_json_lines_merge_copies_lines_and_counts_from_them_what_a_csv_merge_counts_from_rows()
    {
        // More classified rows than the sample keeps, so most are counted from their lines alone; keys and labels
        // with escapes, listing fields and a passthrough column; failed rows; a key twice.
        var writer = new ResultWriter(Store);
        var labels = new[] { "cat", "tabby \"cat\"", "chat d\u00e9j\u00e0 vu", "dog/\\wolf", "" };
        var parts = new List<string>();
        for (var p = 0; p < 6; p++)
        {
            var rows = Enumerable.Range(0, 40).Select(i => p * 40 + i).Select(n => n % 17 == 0
                ? PredictionRow.Failure($"img/{n:D4}.jpg", n % 2 == 0 ? "decode_failed" : "read_failed", "no")
                : PredictionRow.Success(n % 13 == 0 ? $"img/\"{n}\" \u00fc.jpg" : $"img/{n:D4}.jpg",
                    n % 11 == 0 ? [] : [new LabelScore(n % 5, labels[n % 5], 0.8f), new LabelScore(9, "other", 0.2f)])
                    with { ETag = $"\"e{n}\"", Size = n, Columns = n % 3 == 0 ? new() { ["site"] = System.Text.Json.JsonDocument.Parse("\"north\"").RootElement } : null })
                .ToList();
            var part = $"parts/lines-{p}";
            await writer.WriteRowsAsync(JobWorkArea.Part(Job, part), rows);
            parts.Add(part);
        }
        parts.Add(parts[2]); // a unit's part written again after a crash: every key in it a duplicate
        await PageManifests.WriteRecordAsync(Store, Job, 0, new PageRecord(240, parts), default);
        var merger = new ShardMerger(Store);

        var fromLines = await merger.MergeAsync(Job, 0, 0, 1, "jsonl", default);
        var fromRows = await merger.MergeAsync(Job, 1, 0, 1, "csv", default);

        Assert.Equal((240L, 40L), (fromLines.Rows, fromLines.DuplicatesDropped));
        Assert.Equal((fromRows.Rows, fromRows.Failed, fromRows.DuplicatesDropped, fromRows.Parts), (fromLines.Rows, fromLines.Failed, fromLines.DuplicatesDropped, fromLines.Parts));
        Assert.Equal(fromRows.Classes.OrderBy(c => c.Key, StringComparer.Ordinal), fromLines.Classes.OrderBy(c => c.Key, StringComparer.Ordinal));
        Assert.Contains("tabby \"cat\"", fromLines.Classes.Keys);
        Assert.Equal(fromRows.FailuresByReason.OrderBy(c => c.Key, StringComparer.Ordinal), fromLines.FailuresByReason.OrderBy(c => c.Key, StringComparer.Ordinal));
        Assert.Equal(ResultSampler.DefaultClassified, fromLines.Samples.Classified.Count);
        Assert.Equal(fromRows.Samples.ToJson(), fromLines.Samples.ToJson());
        // The lines are the parts' own, byte for byte, in order, each key once.
        var written = parts.Take(6).SelectMany(part => File.ReadAllText(Path.Combine(Store.Location.LocalPath, JobWorkArea.Part(Job, part))).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(written, Lines(ShardMerger.ShardName(0, "jsonl")));
    }

    [Fact]
    public async Task A_part_missing_at_merge_time_is_named()
    {
        await PageManifests.WriteRecordAsync(Store, Job, 0, new PageRecord(1, ["parts/never-written"]), default);
        var missing = await Assert.ThrowsAsync<JobDataMissingException>(() => new ShardMerger(Store).MergeAsync(Job, 0, 0, 1, "jsonl", default));
        Assert.Contains("parts/never-written", missing.Message);
    }

    private string[] Lines(string name) =>
        File.ReadAllText(Path.Combine(Store.Location.LocalPath, name)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static PredictionRow Row(string key, string label) =>
        PredictionRow.Success(key, [new LabelScore(1, label, 0.9f), new LabelScore(2, "other", 0.1f)]);

}
