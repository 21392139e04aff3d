using System.IO.Compression;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.DurableTask.Client;
using Serverless.BatchInference.Contracts;
using Serverless.Orchestrations.Tests.Support;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// The job's data path: keys in page manifests, never in the engine; results from the job's own
/// parts, never from a listing of the output folder; bad input that ends with a clear error.
/// </summary>
[Collection(TaskHubCollection.Name)]
public sealed class JobDataPathTests(TaskHubHost hub)
{
    private const string Marker = "kq7zmarker";

    [Fact]
    public async Task No_image_key_is_in_any_history_row_queue_message_or_large_message_of_a_job_of_several_pages()
    {
        // 21 images in pages of 8 (three pages, two executions), each key carrying a marker no other text has.
        var source = hub.WriteImages("keys-out", 21, seed: 41);
        foreach (var file in Directory.GetFiles(source))
            File.Move(file, Path.Combine(source, Marker + Path.GetFileName(file)));
        var output = Path.Combine(hub.Root, "out-keys");
        var id = await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, BatchSize = 2, Output = output, KeepWorkArea = true });

        // Queue messages are deleted once handled: peek at them while the job runs.
        var queues = new QueueServiceClient(hub.Azurite.ConnectionString);
        var seen = new StringBuilder();
        using var stop = new CancellationTokenSource();
        var peeking = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await foreach (var queue in queues.GetQueuesAsync(prefix: hub.HubName.ToLowerInvariant()))
                    foreach (var message in (await queues.GetQueueClient(queue.Name).PeekMessagesAsync(32)).Value)
                        seen.Append(message.Body.ToString()).Append('\n');
                await Task.Delay(10);
            }
        });
        var done = await hub.WaitAsync(id);
        await stop.CancelAsync();
        await peeking;

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var rows = await hub.ReadPredictionsAsync(output);
        Assert.Equal(21, rows.Count);
        Assert.All(rows, r => Assert.StartsWith(Marker, r.Key));
        // The keys are in the job's page manifests...
        Assert.Contains(Marker, await File.ReadAllTextAsync(Path.Combine(output, JobWorkArea.PageManifest(id, 0))));
        // ...and nowhere in the task hub: history and instance rows, queue messages, large-message blobs.
        var tables = new TableServiceClient(hub.Azurite.ConnectionString);
        var history = new StringBuilder();
        var historyRows = 0;
        foreach (var table in new[] { hub.HubName + "History", hub.HubName + "Instances" })
            await foreach (var entity in tables.GetTableClient(table).QueryAsync<TableEntity>())
            {
                historyRows++;
                foreach (var (_, value) in (IEnumerable<KeyValuePair<string, object>>)entity)
                    history.Append(value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : value?.ToString()).Append('\n');
            }
        Assert.True(historyRows > 20, $"only {historyRows} rows read: not the hub's tables?");
        Assert.True(seen.Length > 0, "no queue message was seen while the job ran");
        var blobs = new BlobServiceClient(hub.Azurite.ConnectionString);
        await foreach (var container in blobs.GetBlobContainersAsync(prefix: hub.HubName.ToLowerInvariant()))
            await foreach (var blob in blobs.GetBlobContainerClient(container.Name).GetBlobsAsync())
            {
                var content = (await blobs.GetBlobContainerClient(container.Name).GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray();
                history.Append(Unzipped(content)).Append('\n');
            }
        Assert.DoesNotContain(Marker, history.ToString());
        Assert.DoesNotContain(Marker, seen.ToString());
    }

    [Fact]
    public async Task A_second_job_into_the_same_output_merges_only_its_own_parts()
    {
        // The reproduction: 120 images, then 40 others, into one output location.
        var output = Path.Combine(hub.Root, "out-reused");
        var first = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Source = hub.WriteImages("reuse-a", 120, seed: 51), Model = hub.Model, Output = output }),
            TimeSpan.FromMinutes(4));
        var secondSource = hub.WriteImages("reuse-b", 40, seed: 52);
        foreach (var file in Directory.GetFiles(secondSource))
            File.Move(file, Path.Combine(secondSource, "b" + Path.GetFileName(file)));
        var second = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Source = secondSource, Model = hub.Model, Output = output }));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, first.RuntimeStatus);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, second.RuntimeStatus);
        var rows = await hub.ReadPredictionsAsync(output);
        Assert.Equal(40, rows.Count);
        Assert.All(rows, r => Assert.StartsWith("b", r.Key));
        Assert.Equal(40, second.ReadOutputAs<JobOutput>()!.Images);
    }

    [Fact]
    public async Task A_job_over_an_empty_folder_fails_saying_it_holds_no_images()
    {
        // Nothing at all: a file that is not an image would be listed and get an unsupported_format row.
        var source = Directory.CreateDirectory(Path.Combine(hub.Root, "empty-source")).FullName;

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, Output = Path.Combine(hub.Root, "out-empty") }));

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Contains($"the source {source} holds no images", done.FailureDetails!.ErrorMessage);
    }

    [Fact]
    public async Task A_predictions_shard_per_two_pages_with_a_manifest_beside_the_single_file()
    {
        // 21 images: three pages, shards of two pages: two shards.
        var output = Path.Combine(hub.Root, "out-shards");
        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Source = hub.WriteImages("shards", 21, seed: 61), Model = hub.Model, Output = output }));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var shards = Enumerable.Range(0, 2).Select(s => File.ReadAllLines(Path.Combine(output, $"predictions/part-{s:D5}.jsonl"))).ToArray();
        Assert.Equal((16, 5), (shards[0].Length, shards[1].Length));
        Assert.Equal(shards[0].Concat(shards[1]), File.ReadAllLines(Path.Combine(output, "predictions.jsonl")));
        Assert.Contains("\"rows\": 21", await File.ReadAllTextAsync(Path.Combine(output, "predictions/manifest.json")));
        // The working area (page manifests, records, the units' parts, shard stats) is deleted once merged:
        // each image is in the output once, and the folder holds nothing else of the job's.
        Assert.False(Directory.Exists(Path.Combine(output, "_work")));
        Assert.Equal(["manifest.json", "part-00000.jsonl", "part-00001.jsonl"], Directory.GetFiles(Path.Combine(output, "predictions")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    private static string Unzipped(byte[] content)
    {
        try
        {
            using var gzip = new GZipStream(new MemoryStream(content), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip);
            return reader.ReadToEnd();
        }
        catch (InvalidDataException)
        {
            return Encoding.UTF8.GetString(content);
        }
    }
}
