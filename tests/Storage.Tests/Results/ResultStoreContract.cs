using System.Text;
using Serverless.Storage.Results;
using Serverless.Storage.Tests.Support;

namespace Serverless.Storage.Tests.Results;

/// <summary>
/// The behaviour every result store must have; each backend subclasses this and only says
/// how to make a fresh, empty store (and how to read an object without the code under test).
/// </summary>
public abstract class ResultStoreContract
{
    /// <summary>A store over a fresh location.</summary>
    protected abstract Task<IResultStore> NewStoreAsync();

    /// <summary>Reads an object's bytes with the raw SDK or file system.</summary>
    protected abstract Task<byte[]> ReadRawAsync(IResultStore store, string name);

    /// <summary>A store whose bucket or container does not exist; null where there is none (local).</summary>
    protected abstract IResultStore? StoreWithMissingContainer();

    [Fact]
    public async Task Stores_the_exact_bytes_written()
    {
        var store = await NewStoreAsync();
        var content = Bytes.Random(250_000, seed: 5);
        await store.WriteAsync("blob.bin", content);
        Assert.Equal(Bytes.Sha256(content), Bytes.Sha256(await ReadRawAsync(store, "blob.bin")));
        Assert.Equal(Bytes.Sha256(content), Bytes.Sha256(await store.ReadAsync("blob.bin")));

        var streamed = Bytes.Random(1_500_000, seed: 6);
        await store.WriteAsync("deep/streamed.bin", (s, ct) => s.WriteAsync(streamed, ct).AsTask());
        Assert.Equal(Bytes.Sha256(streamed), Bytes.Sha256(await ReadRawAsync(store, "deep/streamed.bin")));
        Assert.Equal(Bytes.Sha256(streamed), Bytes.Sha256(await Bytes.ReadAllAsync(await store.OpenReadAsync("deep/streamed.bin"))));
    }

    [Fact]
    public async Task Concatenating_objects_stores_their_exact_bytes_in_order_across_upload_parts()
    {
        // 9 MiB, then small ones, then 6 MiB: more than one streamed part (S3), blocks from URLs (Blob).
        var store = await NewStoreAsync();
        byte[][] pieces = [Bytes.Random(9 * 1024 * 1024, seed: 11), Bytes.Random(1000, seed: 12), Bytes.Random(3, seed: 13), Bytes.Random(6 * 1024 * 1024, seed: 14)];
        for (var i = 0; i < pieces.Length; i++)
            await store.WriteAsync($"shards/part-{i}.bin", pieces[i]);

        await store.ConcatenateAsync("joined.bin", Enumerable.Range(0, pieces.Length).Select(i => $"shards/part-{i}.bin").ToArray());

        Assert.Equal(Bytes.Sha256(pieces.SelectMany(p => p).ToArray()), Bytes.Sha256(await ReadRawAsync(store, "joined.bin")));
        // Once more over it: an overwrite, and a single small source.
        await store.ConcatenateAsync("joined.bin", ["shards/part-2.bin"]);
        Assert.Equal(Bytes.Sha256(pieces[2]), Bytes.Sha256(await ReadRawAsync(store, "joined.bin")));
    }

    [Fact]
    public async Task Rewriting_a_part_overwrites_it_and_never_duplicates()
    {
        var store = await NewStoreAsync();
        var writer = new ResultWriter(store);
        await writer.WritePartAsync(3, [Row("a.jpg", "cat")]);
        await writer.WritePartAsync(7, [Row("b.jpg", "dog")]);
        var rerun = await writer.WritePartAsync(3, [Row("a.jpg", "tiger"), Row("c.jpg", "cat")]);

        Assert.Equal("parts/part-000003.jsonl", rerun.Name);
        Assert.Equal(["parts/part-000003.jsonl", "parts/part-000007.jsonl"], await writer.ListPartsAsync());
        Assert.Equal(["a.jpg", "c.jpg"], (await writer.ReadPartAsync(3)).Select(r => r.Key));
        Assert.Equal("tiger", (await writer.ReadPartAsync(3))[0].Top[0].Label);
        Assert.True(await store.ExistsAsync("parts/part-000007.jsonl"));
        Assert.False(await store.ExistsAsync("parts/part-000004.jsonl"));
    }

    [Fact]
    public async Task Merge_streams_parts_in_batch_order_into_jsonl_and_summary()
    {
        var store = await NewStoreAsync();
        var writer = new ResultWriter(store);
        await writer.WritePartAsync(10, [Row("k10.jpg", "cat"), PredictionRow.Failure("bad.jpg", "decode_failed", "not an image")]);
        await writer.WritePartAsync(2, [Row("k2.jpg", "dog"), Row("k3.jpg", "cat")]);
        await writer.WritePartAsync(1_000_000, [Row("k-last.jpg", "cat"), Row("k2.jpg", "dog")]);
        await store.WriteAsync("parts/readme.txt", Encoding.UTF8.GetBytes("not a part"));

        var started = DateTimeOffset.UtcNow.AddSeconds(-10);
        var summary = await writer.MergeAsync(PredictionFormat.Jsonl, new SummaryInput
        {
            JobId = "job-1", Model = "m", StartedAt = started, FinishedAt = started.AddSeconds(2),
            TimingsSeconds = new Dictionary<string, double> { ["inference"] = 1.5 },
        });

        var lines = Encoding.UTF8.GetString(await ReadRawAsync(store, "predictions.jsonl")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["k2.jpg", "k3.jpg", "k10.jpg", "bad.jpg", "k-last.jpg"], lines.Select(l => PredictionJson.Parse(l).Key));
        Assert.Equal(5, summary.Total);
        Assert.Equal(4, summary.Succeeded);
        Assert.Equal(1, summary.Failed);
        Assert.Equal(1, summary.DuplicatesDropped);
        Assert.Equal(3, summary.Parts);
        Assert.Equal(new Dictionary<string, long> { ["decode_failed"] = 1 }, summary.FailuresByReason);
        Assert.Equal(["cat", "dog"], summary.ClassHistogram.Keys);
        Assert.Equal(3, summary.ClassHistogram["cat"]);
        Assert.Equal(2.5, summary.ImagesPerSecond);
        Assert.Equal(1.5, summary.TimingsSeconds["inference"]);
        Assert.True(summary.TimingsSeconds.ContainsKey("merge"));

        // Before the merge a job's samples come from its parts; after it, from samples.json (rows merged once).
        var samples = await writer.ReadSamplesAsync();
        Assert.Equal(["k-last.jpg", "k10.jpg", "k2.jpg", "k3.jpg"], samples.Classified.Select(r => r.Key));
        Assert.Equal(["bad.jpg"], samples.Failed.Select(r => r.Key));
        Assert.True(await store.ExistsAsync(ResultWriter.SamplesName));

        var reread = await writer.ReadSummaryAsync();
        Assert.Equal(summary.Total, reread.Total);
        Assert.Equal("job-1", reread.JobId);
        Assert.Equal(summary.ClassHistogram, reread.ClassHistogram);

        // A second merge (a retried final step) gives the same file.
        await writer.MergeAsync(PredictionFormat.Jsonl, new SummaryInput());
        Assert.Equal(lines.Length, Encoding.UTF8.GetString(await store.ReadAsync("predictions.jsonl")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Samples_of_a_running_job_come_from_its_first_parts()
    {
        var store = await NewStoreAsync();
        var writer = new ResultWriter(store);
        await writer.WritePartAsync(0, [Row("a.jpg", "cat"), PredictionRow.Failure("b.jpg", "empty_file", "the file is empty.")]);
        await writer.WritePartAsync(1, [Row("c.jpg", "dog")]);
        await writer.WritePartAsync(2, [Row("d.jpg", "dog")]);

        var samples = await writer.ReadSamplesAsync(maxParts: 2);
        Assert.Equal(["a.jpg", "c.jpg"], samples.Classified.Select(r => r.Key));
        Assert.Equal(["b.jpg"], samples.Failed.Select(r => r.Key));
        Assert.False(await store.ExistsAsync(ResultWriter.SamplesName));
    }

    [Fact]
    public async Task Merge_to_csv_writes_a_header_and_one_row_per_image()
    {
        var store = await NewStoreAsync();
        var writer = new ResultWriter(store);
        await writer.WritePartAsync(0, [Row("a,1.jpg", "cat"), PredictionRow.Failure("b.jpg", "too_large", "said \"no\"")]);
        var summary = await writer.MergeAsync(PredictionFormat.Csv, new SummaryInput());

        Assert.Equal("predictions.csv", summary.Predictions);
        var text = Encoding.UTF8.GetString(await ReadRawAsync(store, "predictions.csv"));
        Assert.Equal(
            PredictionCsv.Header + "\n" +
            "\"a,1.jpg\",cat,1,0.9,cat:0.9|other:0.1,,,,\n" +
            "b.jpg,,,,,too_large,\"said \"\"no\"\"\",,\n",
            text);
    }

    [Fact]
    public async Task A_missing_bucket_or_container_is_a_clear_error()
    {
        if (StoreWithMissingContainer() is not { } store)
        {
            return;
        }

        var ex = await Assert.ThrowsAsync<StorageException>(() => store.WriteAsync("x.txt", new byte[] { 1 }));
        Assert.Equal(StorageErrorKind.ContainerNotFound, ex.Kind);
        Assert.Equal(StorageErrorKind.ContainerNotFound, (await Assert.ThrowsAsync<StorageException>(() => store.ExistsAsync("x.txt"))).Kind);
    }

    protected static PredictionRow Row(string key, string label) =>
        PredictionRow.Success(key, [new LabelScore(1, label, 0.9f), new LabelScore(2, "other", 0.1f)]);
}
