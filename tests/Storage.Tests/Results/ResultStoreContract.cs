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
        await writer.WriteRowsAsync("parts/part-3.jsonl", [Row("a.jpg", "cat")]);
        await writer.WriteRowsAsync("parts/part-7.jsonl", [Row("b.jpg", "dog")]);
        await writer.WriteRowsAsync("parts/part-3.jsonl", [Row("a.jpg", "tiger"), Row("c.jpg", "cat")]);

        var rows = Encoding.UTF8.GetString(await ReadRawAsync(store, "parts/part-3.jsonl")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(PredictionJson.Parse).ToList();
        Assert.Equal(["a.jpg", "c.jpg"], rows.Select(r => r.Key));
        Assert.Equal("tiger", rows[0].Top[0].Label);
        var names = new List<string>();
        await foreach (var name in store.ListAsync("parts/"))
            names.Add(name);
        Assert.Equal(["parts/part-3.jsonl", "parts/part-7.jsonl"], names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Samples_of_a_running_job_come_from_its_first_parts_and_of_a_merged_one_from_samples_json()
    {
        var store = await NewStoreAsync();
        var writer = new ResultWriter(store);
        await writer.WriteRowsAsync("run/parts/p-0.jsonl", [Row("a.jpg", "cat"), PredictionRow.Failure("b.jpg", "empty_file", "the file is empty.")]);
        await writer.WriteRowsAsync("run/parts/p-1.jsonl", [Row("c.jpg", "dog")]);
        await writer.WriteRowsAsync("run/parts/p-2.jsonl", [Row("d.jpg", "dog")]);

        var samples = await writer.ReadSamplesAsync("run/parts/", maxParts: 2);
        Assert.Equal(["a.jpg", "c.jpg"], samples.Classified.Select(r => r.Key));
        Assert.Equal(["b.jpg"], samples.Failed.Select(r => r.Key));
        Assert.False(await store.ExistsAsync(ResultWriter.SamplesName));

        // Once merged, samples.json is the answer (whatever the parts say).
        var merged = new ResultSampler();
        merged.Add(Row("z.jpg", "cat"));
        await store.WriteAsync(ResultWriter.SamplesName, merged.ToSamples().ToJson());
        Assert.Equal(["z.jpg"], (await writer.ReadSamplesAsync("run/parts/")).Classified.Select(r => r.Key));
    }

    [Fact]
    public async Task Deleting_names_removes_exactly_them_and_a_second_delete_is_no_error()
    {
        var store = await NewStoreAsync();
        string[] work = ["_work/j/pages/page-000000.jsonl", "_work/j/parts/p0-0.jsonl", "_work/j/merge/shard-00000.json"];
        foreach (var name in work.Append("_work/j2/parts/x.jsonl").Append("predictions.jsonl"))
            await store.WriteAsync(name, Encoding.UTF8.GetBytes(name));

        var listed = new List<string>();
        await foreach (var name in store.ListAsync("_work/j/"))
            listed.Add(name);
        await store.DeleteAsync(listed);
        await store.DeleteAsync(listed);

        var left = new List<string>();
        await foreach (var name in store.ListAsync())
            left.Add(name);
        Assert.Equal(["_work/j2/parts/x.jsonl", "predictions.jsonl"], left.Order(StringComparer.Ordinal));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.DeleteAsync(Enumerable.Range(0, IResultStore.DeleteBatch + 1).Select(i => $"x{i}").ToArray()));
    }

    [Fact]
    public async Task A_read_through_a_stream_may_stop_early_and_a_missing_object_is_not_found()
    {
        var store = await NewStoreAsync();
        var content = Bytes.Random(1_500_000, seed: 7);
        await store.WriteAsync("manifest.bin", content);

        var head = await store.ReadAsync("manifest.bin", async (stream, ct) =>
        {
            var first = new byte[100_000];
            await stream.ReadExactlyAsync(first, ct);
            return first; // the rest is never read
        });
        var whole = await store.ReadAsync("manifest.bin", (stream, _) => Bytes.ReadAllAsync(stream));

        Assert.Equal(content[..100_000], head);
        Assert.Equal(Bytes.Sha256(content), Bytes.Sha256(whole));
        var missing = await Assert.ThrowsAsync<StorageException>(() => store.ReadAsync("absent.bin", (stream, _) => Task.FromResult(stream.Length)));
        Assert.Equal(StorageErrorKind.ObjectNotFound, missing.Kind);
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
