using System.Text.Json;
using Serverless.EndToEnd.Tests.Support;
using Serverless.Storage;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// kill -9 of the only worker process in the middle of a job, then a fresh worker: the job
/// completes and every image is in predictions.jsonl exactly once.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class WorkerCrashTests(JobStack stack)
{
    private const int Images = 2000;

    [Fact]
    public async Task A_job_survives_its_worker_being_killed()
    {
        await stack.UploadSyntheticImagesAsync("crash/", Images, seed: 7);
        var environment = stack.WorkerLossEnvironment("CrashJobs");
        await using var api = await HostProcess.StartAsync("api", environment);
        var worker = await HostProcess.StartAsync("worker", environment);
        try
        {
            using var jobs = new JobsHttp(api.BaseUrl);
            var output = $"s3://{JobStack.Bucket}/results/crash";
            var id = await jobs.SubmitAsync(new { source = $"s3://{JobStack.Bucket}/crash/", model = stack.DominantColor, batchSize = 16, output });

            await WaitForProgressAsync(jobs, id, atLeast: Images / 5, () => worker.OutputTail);
            worker.Kill();
            await worker.DisposeAsync();
            worker = await HostProcess.StartAsync("worker", environment);

            var status = await jobs.WaitAsync(id, TimeSpan.FromMinutes(5), () => worker.OutputTail);
            Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());

            var rows = await S3JobTests.ReadPredictionsAsync(ResultStoreFactory.Create(output, stack.Connections));
            Assert.Equal(Images, rows.Count);
            Assert.Equal(Images, rows.Select(r => r.Key).Distinct().Count());
            Assert.All(rows, r => Assert.Null(r.ErrorCode));
            // The colour is in the file name: each image got the label the dominant-color model must give it.
            Assert.All(rows, r => Assert.Equal(r.Key.Split('_')[1].Split('.')[0], r.Top[0].Label));
            Assert.Equal(Images, status.GetProperty("output").GetProperty("images").GetInt64());
        }
        finally
        {
            await worker.DisposeAsync();
        }
    }

    private static async Task WaitForProgressAsync(JobsHttp jobs, string id, long atLeast, Func<string> diagnostics)
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
