using System.Text.Json;
using Serverless.EndToEnd.Tests.Support;
using Serverless.Storage;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// kill -9 of the only worker process in the middle of a job, then a fresh worker, with the engine
/// settings host.json ships: the batches the dead worker held start again within 60 s of the kill,
/// the job completes, and every image is in predictions.jsonl exactly once.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class WorkerCrashTests(JobStack stack)
{
    private const int Images = 2000;

    [Fact]
    public async Task A_job_survives_its_worker_being_killed()
    {
        await stack.UploadSyntheticImagesAsync("crash/", Images, seed: 7);
        // The shipped visibility timeouts and leases, not the short ones of the other worker-loss tests.
        var environment = stack.HostEnvironment("CrashJobs", new Dictionary<string, string> { ["batchInference__pageSize"] = "200" });
        var attempts = stack.Attempts("CrashJobs");
        await using var api = await HostProcess.StartAsync("api", environment);
        var worker = await HostProcess.StartAsync("worker", environment);
        try
        {
            using var jobs = new JobsHttp(api.BaseUrl);
            var output = $"s3://{JobStack.Bucket}/results/crash";
            var id = await jobs.SubmitAsync(new { source = $"s3://{JobStack.Bucket}/crash/", model = stack.DominantColor, batchSize = 16, output });

            await WaitForProgressAsync(jobs, id, atLeast: Images / 5, () => worker.OutputTail);
            // Kill while it holds a batch, not in the instant between two pages when it holds none.
            var holding = DateTime.UtcNow;
            while ((await attempts.UnfinishedAsync(id, default)).Count == 0)
            {
                Assert.True(DateTime.UtcNow - holding < TimeSpan.FromSeconds(30), $"the worker held no batch for 30 s\n{worker.OutputTail}");
                await Task.Delay(20);
            }
            worker.Kill();
            var killed = DateTime.UtcNow;
            await worker.DisposeAsync();
            // What the dead worker held: attempts begun and never ended.
            var held = new Dictionary<string, (int Starts, int Ends)>(await attempts.UnfinishedAsync(id, default));
            Assert.NotEmpty(held);
            worker = await HostProcess.StartAsync("worker", environment);

            // Each of them begins again (a new attempt is counted) within 60 s of the kill.
            while (held.Count > 0)
            {
                foreach (var (part, (starts, _)) in held.ToArray())
                {
                    var now = await attempts.ReadAsync(id, part, default);
                    if (now!.Value.Starts > starts)
                        held.Remove(part);
                }
                Assert.True(DateTime.UtcNow - killed < TimeSpan.FromSeconds(60),
                    $"not started again 60 s after the kill: {string.Join(", ", held.Keys)}\n{worker.OutputTail}");
                await Task.Delay(250);
            }

            var status = await jobs.WaitAsync(id, TimeSpan.FromMinutes(5), () => worker.OutputTail);
            Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());

            var rows = await S3JobTests.ReadPredictionsAsync(ResultStoreFactory.Create(output, stack.Connections));
            Assert.Equal(Images, rows.Count);
            Assert.Equal(Images, rows.Select(r => r.Key).Distinct().Count());
            Assert.All(rows, r => Assert.Null(r.ErrorCode));
            // The colour is in the file name: each image got the label the dominant-color model must give it.
            Assert.All(rows, r => Assert.Equal(r.Key.Split('_')[1].Split('.')[0], r.Top[0].Label));
            Assert.Equal(Images, status.GetProperty("output").GetProperty("images").GetInt64());
            // It ran under the scheduler, whose slots belong to the job's pages, not to the dead worker: none is left held.
            var scheduler = JsonSerializer.Deserialize<JsonElement>(await (await jobs.GetAsync("api/scheduler")).Content.ReadAsStringAsync());
            Assert.True(scheduler.GetProperty("granted").GetInt64() > 0, scheduler.ToString());
            Assert.Empty(scheduler.GetProperty("holders").EnumerateArray());
        }
        finally
        {
            await worker.DisposeAsync();
        }
    }

    internal static async Task WaitForProgressAsync(JobsHttp jobs, string id, long atLeast, Func<string> diagnostics)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await jobs.GetAsync($"api/jobs/{id}");
            var status = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
            if (status.TryGetProperty("customStatus", out var progress) && progress.ValueKind == JsonValueKind.Object
                && progress.GetProperty("done").GetInt64() >= atLeast)
            {
                Assert.Equal("Running", status.GetProperty("runtimeStatus").GetString());
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"job {id} made no progress\n{diagnostics()}");
    }
}
