using DuckDB.NET.Data;
using Parquet;
using Serverless.Jobs.Merge;
using Serverless.Orchestrations.Tests.Support;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// The byte-wise join of Parquet shards: a footer read through the Thrift codec and written back is
/// the same bytes; the shards one after the other and the joined footer read back, in Parquet.Net
/// and in DuckDB, as every row of every shard in order (a shard of two row groups, an empty shard).
/// </summary>
public sealed class ParquetFooterTests() : LocalStoreTest("parquet-footer")
{

    private static PredictionRow Row(int i) => i % 7 == 3
        ? PredictionRow.Failure($"img/{i:D6}.jpg", "corrupt_image", $"broken {i}") with { Size = i }
        : PredictionRow.Success($"img/{i:D6}.jpg", [new LabelScore(i % 5, $"label-{i % 5}", 0.9f), new LabelScore(9, "other", 0.1f)]) with { Size = i, ETag = $"\"e{i}\"", ModelSha256 = "ab" };

    private async Task<(string Name, byte[] Footer, long Bytes)> ShardAsync(string name, int first, int count)
    {
        await using var parquet = new ParquetPredictions();
        for (var i = first; i < first + count; i++)
            await parquet.AddAsync(Row(i), default);
        var bytes = await parquet.UploadAsync(Store, name, default);
        return (name, parquet.Footer!, bytes);
    }

    [Fact]
    public async Task A_footer_read_and_written_again_is_the_same_bytes()
    {
        var (_, footer, _) = await ShardAsync("one.parquet", 0, ParquetPredictions.RowGroupRows + 5);

        Assert.Equal(footer, ThriftCompact.Write(ThriftCompact.Read(footer)));
        Assert.Equal(footer, ParquetFooter.OfFile(Dir.Combine("out", "one.parquet")));
    }

    [Fact]
    public async Task The_codec_keeps_ids_that_jump_or_go_back_booleans_long_lists_binaries_and_maps()
    {
        var inner = new ThriftCompact.Node();
        inner.Fields.Add(new ThriftCompact.Field(1, ThriftCompact.True, false));
        inner.Fields.Add(new ThriftCompact.Field(2, ThriftCompact.I64, -5_000_000_000L));
        var node = new ThriftCompact.Node();
        node.Fields.Add(new ThriftCompact.Field(1, ThriftCompact.I32, 7L));
        node.Fields.Add(new ThriftCompact.Field(40, ThriftCompact.Binary, "héllo"u8.ToArray()));
        node.Fields.Add(new ThriftCompact.Field(3, ThriftCompact.List, new ThriftCompact.Items(ThriftCompact.I16, Enumerable.Range(-10, 20).Select(i => (object)(long)i).ToList())));
        node.Fields.Add(new ThriftCompact.Field(4, ThriftCompact.Struct, inner));
        node.Fields.Add(new ThriftCompact.Field(5, ThriftCompact.Map, new ThriftCompact.Pairs(ThriftCompact.Binary, ThriftCompact.True, ["k"u8.ToArray(), (byte)1])));
        node.Fields.Add(new ThriftCompact.Field(6, ThriftCompact.True, true));

        var bytes = ThriftCompact.Write(node);
        var back = ThriftCompact.Read(bytes);

        Assert.Equal([1, 40, 3, 4, 5, 6], back.Fields.Select(f => (int)f.Id));
        Assert.Equal("héllo"u8.ToArray(), (byte[])back[40]!.Value);
        Assert.Equal(Enumerable.Range(-10, 20).Select(i => (long)i), ((ThriftCompact.Items)back[3]!.Value).Values.Cast<long>());
        var backInner = (ThriftCompact.Node)back[4]!.Value;
        Assert.Equal((false, -5_000_000_000L), ((bool)backInner[1]!.Value, (long)backInner[2]!.Value));
        Assert.True((bool)back[6]!.Value);
        Assert.Equal(bytes, ThriftCompact.Write(back));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Shards_and_the_joined_footer_read_back_as_every_row_in_order()
    {
        int[] counts = [ParquetPredictions.RowGroupRows + 300, 0, 1234];
        var shards = new List<(string Name, byte[] Footer, long Bytes)>();
        var first = 0;
        for (var s = 0; s < counts.Length; s++)
        {
            shards.Add(await ShardAsync($"part-{s}.parquet", first, counts[s]));
            first += counts[s];
        }
        await Store.WriteAsync("tail.parquet", ParquetFooter.Join(shards.Select(s => (s.Footer, s.Bytes)).ToArray()));
        await Store.ConcatenateAsync("joined.parquet", [.. shards.Select(s => s.Name), "tail.parquet"]);
        var joined = Dir.Combine("out", "joined.parquet");
        var total = counts.Sum();

        await using (var reader = await ParquetReader.CreateAsync(joined))
            Assert.Equal(4, reader.RowGroupCount); // two, an empty one, one
        await using (var stream = File.OpenRead(joined))
        {
            var data = await Parquet.Serialization.ParquetSerializer.DeserializeUntypedAsync(stream);
            Assert.Equal(Enumerable.Range(0, total).Select(i => $"img/{i:D6}.jpg"), data.Data.Select(r => r["key"]?.ToString()));
        }

        using var db = new DuckDBConnection("Data Source=:memory:");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = $"select count(*), count(distinct key), count(error_code), sum(size)::bigint, min(key), max(key) from '{joined}'";
        using var rows = command.ExecuteReader();
        Assert.True(rows.Read());
        var failures = Enumerable.Range(0, total).Count(i => i % 7 == 3);
        Assert.Equal((total, total, failures, Enumerable.Range(0, total).Sum(i => (long)i)),
            (Convert.ToInt64(rows.GetValue(0)), Convert.ToInt64(rows.GetValue(1)), Convert.ToInt64(rows.GetValue(2)), Convert.ToInt64(rows.GetValue(3))));
        Assert.Equal(("img/000000.jpg", $"img/{total - 1:D6}.jpg"), (rows.GetString(4), rows.GetString(5)));
    }
}
