using Serverless.EndToEnd.Tests.Support;
using Serverless.Storage;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// SIGTERM of a worker in the middle of a job, as Kubernetes stops a pod: the worker takes no new
/// batch, finishes or releases the ones it runs, and exits by itself; none is lost, and none is
/// counted as a crashed attempt (that would bring a batch nearer to poison for nothing).
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class WorkerShutdownTests(JobStack stack)
{
    private const int Images = 800;

    [Theory]
    [InlineData("00:00:20", "finished")]
    [InlineData("00:00:00", "released")]
    public async Task A_worker_stopped_mid_job_finishes_or_releases_its_batches(string drainTimeout, string outcome)
    {
        var hub = "Shutdown" + outcome;
        var prefix = $"shutdown-{outcome}/";
        await stack.UploadSyntheticImagesAsync(prefix, Images, seed: 29);
        var environment = stack.WorkerLossEnvironment(hub);
        environment["extensions__durableTask__shutdownDrainTimeout"] = drainTimeout;
        await using var api = await HostProcess.StartAsync("api", environment);
        var worker = await HostProcess.StartAsync("worker", environment);
        try
        {
            using var jobs = new JobsHttp(api.BaseUrl);
            var output = $"s3://{JobStack.Bucket}/results/shutdown-{outcome}";
            var id = await jobs.SubmitAsync(new { source = $"s3://{JobStack.Bucket}/{prefix}", model = stack.DominantColor, batchSize = 8, output });
            await WorkerCrashTests.WaitForProgressAsync(jobs, id, atLeast: Images / 5, () => worker.OutputTail);
            // Stop it while it holds a batch, so there is one to finish or release. A batch of this
            // model lasts milliseconds: the one seen held may end before SIGTERM reaches the host
            // ("no activity was running"); then the stop told nothing, and it is tried again.
            for (var tries = 1; ; tries++)
            {
                var holding = DateTime.UtcNow;
                while ((await stack.Attempts(hub).UnfinishedAsync(id, default)).Count == 0)
                {
                    Assert.True(DateTime.UtcNow - holding < TimeSpan.FromSeconds(60), $"the worker held no batch for 60 s\n{worker.OutputTail}");
                    await Task.Delay(20);
                }

                worker.Terminate();
                var exit = await worker.WaitForExitAsync(TimeSpan.FromSeconds(45));

                Assert.True(exit == 0, $"exit {exit?.ToString() ?? "none within 45 s"}:\n{worker.OutputTail}");
                Assert.Contains("Durable worker", worker.OutputTail);
                Assert.Contains("stopped", worker.OutputTail);
                if (!worker.OutputTail.Contains("no activity was running", StringComparison.Ordinal) || tries == 4)
                    break;
                await worker.DisposeAsync();
                worker = await HostProcess.StartAsync("worker", environment);
            }

            // What tells the outcomes apart: the batches held at SIGTERM ran to their end in this
            // worker, or were cancelled and handed back for another worker to run.
            // (The tail holds the last 80 lines: the stop's own line, not the ones before it.)
            var stopping = worker.OutputTail;
            if (outcome == "finished")
            {
                Assert.Contains("running activities finished", stopping);
                Assert.DoesNotContain("released to other workers", stopping);
            }
            else
            {
                Assert.Contains("released to other workers", stopping);
                Assert.DoesNotContain("running activities finished", stopping);
            }
            await worker.DisposeAsync();
            worker = await HostProcess.StartAsync("worker", environment);
            var status = await jobs.WaitAsync(id, TimeSpan.FromMinutes(4), () => worker.OutputTail);

            Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
            var rows = await S3JobTests.ReadPredictionsAsync(ResultStoreFactory.Create(output, stack.Connections));
            Assert.Equal(Images, rows.Count);
            Assert.Equal(Images, rows.Select(r => r.Key).Distinct().Count());
            Assert.Empty(await stack.Attempts(hub).UnfinishedAsync(id, default));
        }
        finally
        {
            await worker.DisposeAsync();
        }
    }
}
