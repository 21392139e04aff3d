using Microsoft.DurableTask.Client;
using Serverless.BatchInference.Contracts;
using Serverless.BatchInference.Orchestrators;
using Serverless.Orchestrations.Tests.Support;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// A batch whose attempts keep killing their worker: the ledger's crashed attempts are made here
/// the way a dying worker makes them (begun, never ended), and the real engine runs the job.
/// </summary>
[Collection(TaskHubCollection.Name)]
public sealed class PoisonSplitTests(TaskHubHost hub)
{
    [Fact]
    public async Task A_poison_batch_is_split_and_its_images_are_classified_one_by_one()
    {
        var (id, source, output) = Prepare("split");
        await CrashAsync(id, PartNames.For(0, 0), times: 3);

        // The working area is kept: the parts the split wrote are what this test reads.
        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Id = id, Source = source, Model = hub.Model, BatchSize = 4, Output = output, KeepWorkArea = true }));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var rows = await hub.ReadPredictionsAsync(output);
        Assert.Equal(8, rows.Count);
        Assert.All(rows, r => Assert.Equal(r.Key.Split('_')[1].Split('.')[0], r.Top[0].Label));
        // Unit 0 (one inference batch) was written as four single-image parts, unit 1 whole.
        var work = Path.Combine(output, JobWorkArea.Root(id));
        Assert.All(Enumerable.Range(0, 4), item => Assert.True(File.Exists(Path.Combine(work, PartNames.ForSplit(PartNames.For(0, 0), item)))));
        Assert.False(File.Exists(Path.Combine(work, PartNames.For(0, 0))));
        Assert.True(File.Exists(Path.Combine(work, PartNames.For(0, 1))));
        // The poison batch never ran again: its row still holds the three crashed attempts only.
        Assert.Equal((3, 0), await hub.Attempts.ReadAsync(id, PartNames.For(0, 0), CancellationToken.None));
    }

    [Fact]
    public async Task A_poison_unit_splits_into_its_inference_batches_then_a_poison_batch_into_images()
    {
        // One unit of 4 (inference batches of 2): the unit is poison, then its second batch too.
        var id = $"units-{Guid.NewGuid().ToString("N")[..8]}";
        var (source, output) = (hub.WriteImages(id, 4, seed: 31), Path.Combine(hub.Root, "out-" + id));
        var unit = PartNames.For(0, 0);
        await CrashAsync(id, unit, times: 3);
        await CrashAsync(id, PartNames.ForSplit(unit, 1), times: 3);

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Id = id, Source = source, Model = hub.Model, BatchSize = 2, Output = output, KeepWorkArea = true }));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(4, (await hub.ReadPredictionsAsync(output)).Count(r => r.ErrorCode is null));
        var work = Path.Combine(output, JobWorkArea.Root(id));
        Assert.True(File.Exists(Path.Combine(work, PartNames.ForSplit(unit, 0))));
        Assert.False(File.Exists(Path.Combine(work, PartNames.ForSplit(unit, 1))));
        Assert.All(Enumerable.Range(0, 2), i => Assert.True(File.Exists(Path.Combine(work, PartNames.ForSplit(PartNames.ForSplit(unit, 1), i)))));
    }

    [Fact]
    public async Task An_image_that_crashed_every_attempt_is_worker_crashed_and_its_batch_mates_are_classified()
    {
        var (id, source, output) = Prepare("crashed");
        await CrashAsync(id, PartNames.For(0, 0), times: 3);
        await CrashAsync(id, PartNames.ForSplit(PartNames.For(0, 0), 2), times: 3);

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Id = id, Source = source, Model = hub.Model, BatchSize = 4, Output = output }));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var result = done.ReadOutputAs<JobOutput>()!;
        Assert.Equal((8L, 1L), (result.Images, result.Failed));
        Assert.Equal(1, result.FailuresByReason[ClassifyPageOrchestrator.WorkerCrashedCode]);
        var rows = await hub.ReadPredictionsAsync(output);
        var crashed = Assert.Single(rows, r => r.ErrorCode is not null);
        Assert.Equal(ClassifyPageOrchestrator.WorkerCrashedCode, crashed.ErrorCode);
        Assert.Equal(ClassifyPageOrchestrator.WorkerCrashedMessage, crashed.ErrorMessage);
        // Files are listed in name order: the third image of the first batch is the one.
        Assert.Equal(rows.Select(r => r.Key).Order(StringComparer.Ordinal).ElementAt(2), crashed.Key);
        Assert.All(rows.Where(r => r.ErrorCode is null), r => Assert.Equal(r.Key.Split('_')[1].Split('.')[0], r.Top[0].Label));
    }

    private (string Id, string Source, string Output) Prepare(string name)
    {
        var id = $"{name}-{Guid.NewGuid().ToString("N")[..8]}";
        return (id, hub.WriteImages(id, 8, seed: 21), Path.Combine(hub.Root, "out-" + id));
    }

    /// <summary>Attempts begun and never ended: what a worker that dies in the batch leaves in the ledger.</summary>
    private async Task CrashAsync(string jobId, string part, int times)
    {
        for (var i = 0; i < times; i++)
            await hub.Attempts.BeginAsync(jobId, part, CancellationToken.None);
    }
}
