using System.Net;
using System.Text.Json;
using Serverless.EndToEnd.Tests.Support;
using Serverless.Storage;
using Serverless.Storage.Results;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// A batch job the way a user runs it: photographs in s3rver, a `serverless host` process on an
/// Azurite task hub, submitted and polled over HTTP; results compared with the in-process
/// `serverless classify` command on the same folder.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class S3JobTests(JobStack stack) : IAsyncLifetime
{
    private HostProcess? host;

    public async Task InitializeAsync() => host = await HostProcess.StartAsync("all", stack.HostEnvironment("S3Jobs"));

    public async Task DisposeAsync() => await host!.DisposeAsync();

    [Fact]
    public async Task Photographs_in_s3_get_the_same_labels_as_the_classify_command()
    {
        using var jobs = new JobsHttp(host!.BaseUrl);
        var id = await jobs.SubmitAsync(new
        {
            source = $"s3://{JobStack.Bucket}/{JobStack.PhotosPrefix}",
            model = stack.MobileNet,
            batchSize = 16,
            output = $"s3://{JobStack.Bucket}/results/s3-photos",
        });
        var seen = new List<(string? Phase, long Done, long Listed)>();
        var status = await jobs.WaitAsync(id, TimeSpan.FromMinutes(4), () => host.OutputTail, running =>
        {
            if (running.GetProperty("customStatus") is { ValueKind: JsonValueKind.Object } progress)
            {
                seen.Add((progress.GetProperty("phase").GetString(), progress.GetProperty("done").GetInt64(), progress.GetProperty("listed").GetInt64()));
            }
        });
        // Once images are done, the status says what was listed and that it is classifying.
        Assert.All(seen.Where(p => p.Done > 0), p => Assert.True(p.Phase != "starting" && p.Listed >= p.Done, $"progress {p}"));
        Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
        Assert.Equal(200, status.GetProperty("customStatus").GetProperty("done").GetInt64());
        // All 200 images are one page: progress inside it comes from the running page's batches.
        Assert.Contains(seen, p => p.Done is > 0 and < 200);
        Assert.Equal(200, status.GetProperty("customStatus").GetProperty("total").GetInt64());

        var store = ResultStoreFactory.Create($"s3://{JobStack.Bucket}/results/s3-photos", stack.Connections);
        var rows = await ReadPredictionsAsync(store);
        Assert.Equal(200, rows.Count);
        Assert.Equal(200, rows.Select(r => r.Key).Distinct().Count());

        // Keys are object keys in S3 and paths relative to the folder for classify.
        var expected = await ClassifyLocallyAsync(RepoPaths.ImagenetSample200, stack.MobileNet);
        Assert.Equal(expected.Keys.Select(k => JobStack.PhotosPrefix + k).Order(), rows.Select(r => r.Key).Order());
        foreach (var row in rows)
        {
            var local = expected[row.Key[JobStack.PhotosPrefix.Length..]];
            Assert.True(local == row.Top[0].Label, $"{row.Key}: job said {row.Top[0].Label}, classify said {local}");
        }

        var summary = JsonSerializer.Deserialize<JsonElement>(await store.ReadAsync(ResultWriter.SummaryName));
        Assert.Equal(200, summary.GetProperty("total").GetInt64());
        Assert.Equal(0, summary.GetProperty("failed").GetInt64());
        Assert.Equal(200, summary.GetProperty("classHistogram").EnumerateObject().Sum(p => p.Value.GetInt64()));
    }

    [Fact]
    public async Task Submitting_the_same_job_id_twice_runs_it_once()
    {
        using var jobs = new JobsHttp(host!.BaseUrl);
        var job = new { id = "same-id-twice", source = $"s3://{JobStack.Bucket}/{JobStack.PhotosPrefix}", model = stack.DominantColor, output = $"s3://{JobStack.Bucket}/results/same-id" };
        var first = await jobs.SubmitAsync(job);
        var second = await jobs.SubmitAsync(job);
        Assert.Equal(first, second);
        var status = await jobs.WaitAsync(first, TimeSpan.FromMinutes(3), () => host.OutputTail);
        Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());

        var third = await jobs.SubmitAsync(job); // after completion too: no second run
        Assert.Equal(first, third);
        var again = await jobs.WaitAsync(first, TimeSpan.FromSeconds(30));
        Assert.Equal(status.GetProperty("createdTime").GetString(), again.GetProperty("createdTime").GetString());
        Assert.Equal(status.GetProperty("lastUpdatedTime").GetString(), again.GetProperty("lastUpdatedTime").GetString());

        using var list = await jobs.GetAsync("api/jobs");
        var listed = JsonSerializer.Deserialize<JsonElement>(await list.Content.ReadAsStringAsync()).GetProperty("jobs");
        Assert.Single(listed.EnumerateArray(), j => j.GetProperty("instanceId").GetString() == first);
        var rows = await ReadPredictionsAsync(ResultStoreFactory.Create(job.output, stack.Connections));
        Assert.Equal(200, rows.Count);
    }

    [Fact]
    public async Task Unknown_job_is_404_and_purge_removes_a_finished_job()
    {
        using var jobs = new JobsHttp(host!.BaseUrl);
        using (var unknown = await jobs.GetAsync("api/jobs/no-such-job"))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var id = await jobs.SubmitAsync(new { source = $"s3://{JobStack.Bucket}/{JobStack.PhotosPrefix}", model = stack.DominantColor, output = $"s3://{JobStack.Bucket}/results/purge" });
        await jobs.WaitAsync(id, TimeSpan.FromMinutes(3), () => host.OutputTail);
        using (var purge = await jobs.DeleteAsync($"api/jobs/{id}"))
            Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        using (var gone = await jobs.GetAsync($"api/jobs/{id}"))
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    internal static async Task<List<PredictionRow>> ReadPredictionsAsync(IResultStore store)
    {
        var text = System.Text.Encoding.UTF8.GetString(await store.ReadAsync("predictions.jsonl"));
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(PredictionJson.Parse).ToList();
    }

    /// <summary>Runs `serverless classify` (the embedded, orchestrator-free path) and returns top-1 label by key.</summary>
    internal static async Task<Dictionary<string, string>> ClassifyLocallyAsync(string folder, string model)
    {
        using var temp = new TempDir("classify");
        var output = temp.Combine("predictions.jsonl");
        var (exit, _, stderr) = await HostProcess.RunCliAsync(["classify", folder, "--model", model, "--out", output]);
        Assert.True(exit == 0, stderr);
        return File.ReadLines(output).Select(PredictionJson.Parse).ToDictionary(r => r.Key, r => r.Top[0].Label);
    }
}
