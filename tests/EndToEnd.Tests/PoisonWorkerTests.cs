using Serverless.BatchInference.Orchestrators;
using Serverless.EndToEnd.Tests.Support;
using Serverless.ModelZoo;
using Serverless.Storage;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// An image that kills its worker process every time it is read (a decoder crash), with real
/// worker processes restarted after each death as Kubernetes would: the batch is not delivered
/// for ever; the job completes, that image is worker_crashed, and its batch mates are classified.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class PoisonWorkerTests(JobStack stack)
{
    private const string Marker = "crash-worker";

    [Fact]
    public async Task An_image_that_kills_every_worker_ends_as_worker_crashed_and_the_rest_is_classified()
    {
        using var folder = new TempDir("poison");
        var files = SyntheticImages.Write(folder.Path, 20, seed: 23, minSize: 32, maxSize: 48);
        var poisoned = Path.Combine(folder.Path, Path.GetFileNameWithoutExtension(files[5]) + "-" + Marker + Path.GetExtension(files[5]));
        File.Move(files[5], poisoned);
        await stack.UploadFolderAsync(folder.Path, $"s3://{JobStack.Bucket}/poison/");
        var environment = stack.WorkerLossEnvironment("PoisonWorker");
        environment["extensions__durableTask__storageProvider__maxDequeueCount"] = "2";
        await using var api = await HostProcess.StartAsync("api", environment);
        var worker = await HostProcess.StartPoisonWorkerAsync(Marker, environment);
        var deaths = 0;
        try
        {
            using var jobs = new JobsHttp(api.BaseUrl);
            var output = $"s3://{JobStack.Bucket}/results/poison";
            var id = await jobs.SubmitAsync(new { source = $"s3://{JobStack.Bucket}/poison/", model = stack.DominantColor, batchSize = 8, output });

            // Restart the worker whenever it dies, until the job ends.
            var job = jobs.WaitAsync(id, TimeSpan.FromMinutes(6), () => worker.OutputTail);
            while (!job.IsCompleted)
            {
                await Task.WhenAny(job, Task.Delay(500));
                if (worker.HasExited && !job.IsCompleted)
                {
                    deaths++;
                    await worker.DisposeAsync();
                    worker = await HostProcess.StartPoisonWorkerAsync(Marker, environment);
                }
            }
            var status = await job;

            Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
            // Twice for the unit (the second time alone in its process), twice for its batch of 8, twice for the image alone.
            Assert.InRange(deaths, 4, 8);
            var rows = await S3JobTests.ReadPredictionsAsync(ResultStoreFactory.Create(output, stack.Connections));
            Assert.Equal(20, rows.Count);
            var crashed = Assert.Single(rows, r => r.ErrorCode is not null);
            Assert.Contains(Marker, crashed.Key);
            Assert.Equal(ClassifyPageOrchestrator.WorkerCrashedCode, crashed.ErrorCode);
            Assert.All(rows.Where(r => r.ErrorCode is null), r => Assert.Equal(r.Key.Split('_')[1].Split('.')[0], r.Top[0].Label));
            Assert.Equal(1, status.GetProperty("output").GetProperty("failuresByReason").GetProperty("worker_crashed").GetInt64());
        }
        finally
        {
            await worker.DisposeAsync();
        }
    }
}
