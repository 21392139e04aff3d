using System.Text.RegularExpressions;
using Serverless.EndToEnd.Tests.Support;
using Serverless.Storage;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// What KEDA does on a cluster, on one machine: one api process and three worker processes on
/// one Azurite task hub share a job's activities; two workers stopped mid-job do not stop it.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed partial class ScaleOutTests(JobStack stack)
{
    private const int Images = 1200;

    [Fact]
    public async Task Three_workers_share_a_job_and_two_can_leave_mid_job()
    {
        await stack.UploadSyntheticImagesAsync("scale/", Images, seed: 11);
        var environment = stack.WorkerLossEnvironment("ScaleOut");
        // Units of 40 images: 30 units, enough for three workers to share.
        environment["batchInference__imagesPerTask"] = "40";
        // Slots for every worker's two activities: with the default four, two workers that poll the queue warm
        // can take every unit while the third, polling cold, finds it empty (as on a cluster whose slots are fewer
        // than its workers' activities; the test is of sharing, not of the scheduler).
        environment["scheduling__slots"] = "6";
        await using var api = await HostProcess.StartAsync("api", environment);
        var workers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => HostProcess.StartAsync("worker", environment)));
        try
        {
            using var jobs = new JobsHttp(api.BaseUrl);
            var output = $"s3://{JobStack.Bucket}/results/scale";
            var id = await jobs.SubmitAsync(new { source = $"s3://{JobStack.Bucket}/scale/", model = stack.DominantColor, batchSize = 8, output });

            // Wait until every worker has classified units, then stop two of them.
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (workers.Any(w => BatchesDone(w) == 0) && DateTime.UtcNow < deadline)
                await Task.Delay(200);
            Assert.All(workers, w => Assert.True(BatchesDone(w) > 0, $"a worker took no activity work:\n{w.OutputTail}"));
            workers[1].Kill();
            workers[2].Kill();

            var status = await jobs.WaitAsync(id, TimeSpan.FromMinutes(5), () => workers[0].OutputTail);
            Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
            var rows = await S3JobTests.ReadPredictionsAsync(ResultStoreFactory.Create(output, stack.Connections));
            Assert.Equal(Images, rows.Select(r => r.Key).Distinct().Count());
            Assert.Equal(Images, rows.Count);
        }
        finally
        {
            foreach (var worker in workers)
                await worker.DisposeAsync();
        }
    }

    /// <summary>Batches a worker process says it classified (its ClassifyBatch log lines).</summary>
    private static int BatchesDone(HostProcess worker) => ClassifiedBatch().Count(worker.OutputTail);

    [GeneratedRegex("Classified unit ")]
    private static partial Regex ClassifiedBatch();
}
