using System.Text.Json;
using Microsoft.DurableTask.Client;
using Serverless.Jobs;
using Serverless.Jobs.Telemetry;
using Serverless.BatchInference.Contracts;
using Serverless.Orchestrations.Tests.Support;

namespace Serverless.Orchestrations.Tests;

/// <summary>The job orchestrator on DTFx over Azurite, with the real activities on local folders.</summary>
[Collection(TaskHubCollection.Name)]
public sealed class BatchJobOrchestratorTests(TaskHubHost hub)
{
    [Fact]
    public async Task A_job_of_several_pages_continues_as_new_and_classifies_every_image_once()
    {
        // 21 images in pages of 8: three pages, two per execution, so two executions.
        var source = hub.WriteImages("pages", 21, seed: 3);
        var output = Path.Combine(hub.Root, "out-pages");
        var id = await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, BatchSize = 3, Output = output });

        var done = await hub.WaitAsync(id);

        Assert.True(OrchestrationRuntimeStatus.Completed == done.RuntimeStatus, done.FailureDetails?.ToString() + done.SerializedOutput);
        var result = done.ReadOutputAs<JobOutput>()!;
        Assert.Equal(21, result.Images);
        Assert.Equal(0, result.Failed);
        Assert.Equal(2, result.Executions);
        var progress = JsonSerializer.Deserialize<JobProgress>(done.SerializedCustomStatus!, BatchJson.Options)!;
        Assert.Equal(("completed", 21L, 21L), (progress.Phase, progress.Done, progress.Total!.Value));
        var rows = await hub.ReadPredictionsAsync(output);
        Assert.Equal(21, rows.Select(r => r.Key).Distinct().Count());
        Assert.Equal(21, rows.Count);
        // The colour is in the name: the dominant-color model must give every image that label.
        Assert.All(rows, r => Assert.Equal(r.Key.Split('_')[1].Split('.')[0], r.Top[0].Label));
    }

    [Fact]
    public async Task The_custom_status_keeps_the_jobs_start_samples_failures_and_classes_across_continue_as_new()
    {
        // 19 images and 2 broken ones in pages of 8: three pages over two executions.
        var source = hub.WriteImages("status", 19, seed: 23);
        for (var i = 0; i < 2; i++)
            await File.WriteAllBytesAsync(Path.Combine(source, $"zz_broken_{i}.jpg"), "not an image"u8.ToArray());
        var id = await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, BatchSize = 4, Output = Path.Combine(hub.Root, "out-status") });

        var done = await hub.WaitAsync(id);

        var progress = JsonSerializer.Deserialize<JobProgress>(done.SerializedCustomStatus!, BatchJson.Options)!;
        // The instance's created time is the second execution's; the job started before it.
        Assert.True(progress.StartedAt < done.CreatedAt.UtcDateTime, $"started {progress.StartedAt:O}, created {done.CreatedAt:O}");
        Assert.Equal(new ProgressSample(0, 0, 0), progress.Samples![0]);
        // A sample per finished page (two pages finished in one turn share one), rising to the total.
        Assert.InRange(progress.Samples.Count, 3, 4);
        Assert.True(progress.Samples.Zip(progress.Samples.Skip(1)).All(p => p.Second.Done > p.First.Done && p.Second.Seconds > p.First.Seconds));
        Assert.Equal((21L, 2L), (progress.Samples[^1].Done, progress.Samples[^1].Failed));
        Assert.Equal(new Dictionary<string, long> { ["unsupported_format"] = 2 }, progress.FailuresByReason);
        Assert.Equal(19, progress.TopClasses!.Values.Sum());
        Assert.True(progress.TopClasses.Values.Zip(progress.TopClasses.Values.Skip(1)).All(p => p.First >= p.Second), "classes not most frequent first");
    }

    [Fact]
    public async Task Progress_is_counted_in_images_while_the_job_runs()
    {
        // Large images, so each takes a decode's time: the polls below must see the job between its units, and on a
        // busy CI a job of tiny images ran whole between two of them.
        var source = hub.WriteImages("progress", 64, seed: 5, minSize: 1024, maxSize: 1280);
        // One unit at a time: with eight pages at once the first poll could already see more than a page done
        // (units now follow each other without a scheduler call in between, within its quantum).
        var id = await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, BatchSize = 1, MaxUnitsInFlight = 1, Output = Path.Combine(hub.Root, "out-progress") });

        var seen = new List<long>();
        OrchestrationMetadata? status;
        do
        {
            status = await hub.Client.GetInstanceAsync(id, getInputsAndOutputs: true);
            if (status is { RuntimeStatus: OrchestrationRuntimeStatus.Running })
            {
                // What GET /api/jobs/{id} shows: the job's finished pages plus its running pages' units, counted as their batches finish.
                var shown = await LiveProgress.AddRunningPagesAsync(hub.Client, hub.UnitProgress, JobStatusResponse.From(status, withInput: false), CancellationToken.None);
                if (shown.CustomStatus is { ValueKind: JsonValueKind.Object } custom)
                    seen.Add(custom.GetProperty("done").GetInt64());
            }
            await Task.Delay(10);
        }
        while (status is not { IsCompleted: true });

        Assert.Equal(OrchestrationRuntimeStatus.Completed, status.RuntimeStatus);
        Assert.Contains(seen, done => done is > 0 and < 64);
        // Inside one page of 8 (the first), before any page has finished.
        Assert.Contains(seen, done => done is > 0 and < TaskHubHost.PageSize);
        // Inside a unit of 4 (inference batches of 1): a count no number of whole units makes.
        Assert.Contains(seen, done => done % TaskHubHost.ImagesPerTask != 0);
    }

    [Fact]
    public async Task An_exceeded_error_threshold_fails_the_job_with_its_reason_and_keeps_the_predictions_so_far()
    {
        var source = hub.WriteImages("threshold", 6, seed: 9);
        for (var i = 0; i < 5; i++)
            await File.WriteAllBytesAsync(Path.Combine(source, $"broken_{i}.jpg"), [0xFF, 0xD8, 0xFF, 0x00, 0x01, 0x02]);
        var output = Path.Combine(hub.Root, "out-threshold");
        var id = await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, BatchSize = 4, Output = output, MaxFailedImages = 2 });

        var done = await hub.WaitAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.True(done.FailureDetails is not null, $"output: {done.SerializedOutput}");
        // Which page ends first decides the count the job stopped at (3: the last page's, 5: both); every unit had started by then.
        Assert.Matches("error threshold exceeded: [35] images failed, more than the 2 allowed", done.FailureDetails!.ErrorMessage);
        var rows = await hub.ReadPredictionsAsync(output);
        Assert.Equal(11, rows.Count);
        Assert.Equal(5, rows.Count(r => r.ErrorCode is not null));
    }

    [Fact]
    public async Task A_job_id_given_twice_runs_one_job_and_another_body_under_it_is_a_conflict()
    {
        var source = hub.WriteImages("idempotent", 4, seed: 13);
        var request = new JobRequest { Id = "same-id-" + Guid.NewGuid().ToString("N")[..6], Source = source, Model = hub.Model, Output = Path.Combine(hub.Root, "out-idem") };

        var first = await hub.Submission.SubmitAsync(hub.Client, request, CancellationToken.None);
        var second = await hub.Submission.SubmitAsync(hub.Client, request, CancellationToken.None);
        var other = await hub.Submission.SubmitAsync(hub.Client, request with { BatchSize = 1 }, CancellationToken.None);
        var done = await hub.WaitAsync(request.Id);

        Assert.False(first.AlreadyExisted);
        Assert.True(second.AlreadyExisted);
        Assert.Equal(request.Id, second.JobId);
        // Another body under the same id is not silently the old job: a conflict naming the id.
        Assert.Null(other.JobId);
        Assert.NotNull(other.Conflict);
        Assert.Contains("id", other.Errors.Keys);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        // The first request's batch size ran (the default, one batch), not the other's.
        Assert.Equal(request.Id, done.ReadInputAs<JobState>()!.Spec.JobId);
        Assert.Equal(32, done.ReadInputAs<JobState>()!.Spec.BatchSize);
    }

    [Fact]
    public async Task A_batch_too_large_for_memory_fails_the_job_at_once_saying_so()
    {
        var source = hub.WriteImages("huge-batch", 2, seed: 43);
        var id = await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, BatchSize = 1024, Output = Path.Combine(hub.Root, "out-huge") });

        var done = await hub.WaitAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Contains("batchSize 1024 needs a 588 MiB input tensor", done.FailureDetails!.ErrorMessage);
        Assert.Contains("batchInference:maxBatchTensorBytes", done.FailureDetails.ErrorMessage);
        // Not retried: the check fails the same way every time. Counted from the engine's spans (one
        // per activity run, in the job's trace), not from a wall-clock limit a loaded machine passes.
        System.Diagnostics.Activity? job = null;
        for (var i = 0; i < 100 && job is null; i++, await Task.Delay(100))
            job = hub.Spans.Snapshot().FirstOrDefault(s => s.Kind == System.Diagnostics.ActivityKind.Server && s.DisplayName == "orchestration:" + ActivityNames.BatchJob
                && Equals(s.GetTagItem(JobTracing.JobIdTag), id));
        Assert.NotNull(job);
        Assert.Single(hub.Spans.Snapshot(), s => s.Kind == System.Diagnostics.ActivityKind.Server && s.TraceId == job.TraceId && s.DisplayName == "activity:" + ActivityNames.CheckModel);
    }

    [Fact]
    public async Task Thirty_two_parallel_submits_of_one_id_start_one_job_and_refuse_another_body_with_a_conflict()
    {
        var source = hub.WriteImages("parallel-submit", 2, seed: 17);
        var request = new JobRequest { Id = "race-" + Guid.NewGuid().ToString("N")[..6], Source = source, Model = hub.Model, Output = Path.Combine(hub.Root, "out-race") };
        var other = request with { BatchSize = 1 };
        using var start = new ManualResetEventSlim();
        var submits = Enumerable.Range(0, 32).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return (Same: i % 2 == 0, Outcome: await hub.Submission.SubmitAsync(hub.Client, i % 2 == 0 ? request : other, CancellationToken.None));
        })).ToList();
        start.Set();
        var outcomes = await Task.WhenAll(submits);
        var done = await hub.WaitAsync(request.Id);

        // One body won the id: every submit of it answers the job, every submit of the other a conflict; one started it.
        var winner = done.ReadInputAs<JobState>()!.Spec.BatchSize != 1;
        Assert.All(outcomes.Where(o => o.Same == winner), o => Assert.Equal(request.Id, o.Outcome.JobId));
        Assert.All(outcomes.Where(o => o.Same != winner), o => Assert.NotNull(o.Outcome.Conflict));
        Assert.Equal(1, outcomes.Count(o => o.Outcome.JobId is not null && !o.Outcome.AlreadyExisted));
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
    }
}
