using System.Text.Json;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Merge;
using Serverless.Orchestrations.Tests.Support;
using Serverless.Storage.Results;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// Predictions written as Parquet (a Parquet job's unit parts, its shards) read back column by column as the
/// rows written: top-k lists, a failed row's empty ones, nulls, named output vectors (a NaN kept, a failed
/// row's null), manifest columns, across row groups.
/// </summary>
public sealed class ParquetRowsTests() : LocalStoreTest("parquet-rows")
{
    private static readonly string[] Outputs = ["features"];
    private static readonly string[] Passthrough = ["caption", "id"];

    private static PredictionRow Row(int i) => i % 4 == 3
        ? PredictionRow.Failure($"img/{i:D5}.jpg", "decode_failed", $"broken {i}") with { Size = i, Columns = Carried(i) }
        : PredictionRow.Success($"img/{i:D5}.jpg", [new LabelScore(i % 5, $"label-{i % 5}", 0.75f), new LabelScore(9, "other", 0.125f)]) with
        {
            Size = i % 3 == 0 ? null : i,
            ETag = i % 2 == 0 ? $"\"e{i}\"" : null,
            LastModified = new DateTimeOffset(2026, 12, 6, 5, 30, i % 60, TimeSpan.Zero),
            ModelSha256 = "ab12",
            Outputs = new Dictionary<string, float[]> { ["features"] = [i, 0.5f, i % 5 == 0 ? float.NaN : -1f] },
            Columns = i % 5 == 1 ? null : Carried(i),
        };

    private static Dictionary<string, JsonElement> Carried(int i) => new()
    {
        ["caption"] = JsonSerializer.SerializeToElement($"photo \"{i}\", é"),
        ["id"] = JsonSerializer.SerializeToElement(i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    };

    // NaN is not equal to itself: compare the JSON Lines form, which writes it as null.
    private static string Text(PredictionRow row) => PredictionJson.Serialize(row);

    [Fact]
    public async Task A_part_written_in_memory_reads_back_as_its_rows()
    {
        var rows = Enumerable.Range(0, 40).Select(Row).ToList();

        var bytes = await ParquetPredictions.ToBytesAsync(rows, Outputs, Passthrough, default);
        var back = await PartRows.ReadAsync("parts/part-000000-00000.parquet", bytes, Outputs, default);

        Assert.Equal(rows.Select(Text), back.Select(r => Text(r.Row)));
        Assert.All(back, r => Assert.True(r.Line.IsEmpty));
        Assert.Empty(back[3].Row.Top);
        Assert.Null(back[3].Row.Outputs);
        Assert.True(float.IsNaN(back[0].Row.Outputs!["features"][2]));
    }

    [Fact]
    public async Task A_file_of_several_row_groups_reads_back_in_order()
    {
        var rows = Enumerable.Range(0, ParquetPredictions.RowGroupRows + 17).Select(Row).ToList();
        await using (var parquet = new ParquetPredictions(Outputs, Passthrough))
        {
            foreach (var row in rows)
                await parquet.AddAsync(row, default);
            await parquet.UploadAsync(Store, "shard.parquet", default);
        }
        await using var file = File.OpenRead(Dir.Combine("out", "shard.parquet"));

        var back = new List<PredictionRow>();
        await foreach (var row in ParquetRows.ReadAsync(file, default))
            back.Add(row);

        Assert.Equal(rows.Select(Text), back.Select(Text));
    }

    [Fact]
    public async Task A_running_parquet_jobs_samples_come_from_its_parquet_parts()
    {
        var spec = new JobSpec("samples-job", "/src", "m.onnx", null, 2, 8, 2, Store.Location.ToString(), "parquet", 2, null, null);
        var part = PartNames.Written(PartNames.For(0, 0), spec.Format);
        await PartRows.WriteAsync(Store, spec, part, [Row(0), Row(3)], default);

        var samples = await new ResultWriter(Store).ReadSamplesAsync(JobWorkArea.PartsFolder(spec.JobId), read: PartRows.SamplesAsync);

        Assert.Equal(["img/00000.jpg"], samples.Classified.Select(r => r.Key));
        Assert.Equal(["img/00003.jpg"], samples.Failed.Select(r => r.Key));
    }

    [Fact]
    public async Task A_json_lines_part_reads_back_with_its_lines()
    {
        var rows = Enumerable.Range(0, 8).Select(Row).ToList();
        var bytes = System.Text.Encoding.UTF8.GetBytes(string.Join("\n", rows.Select(Text)) + "\n");

        var back = await PartRows.ReadAsync("parts/part-000000-00000.jsonl", bytes, Outputs, default);

        Assert.Equal(rows.Select(Text), back.Select(r => System.Text.Encoding.UTF8.GetString(r.Line.Span)));
        Assert.Equal(rows.Select(Text), back.Select(r => Text(r.Row)));
    }
}
