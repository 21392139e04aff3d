using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Reruns;
using Serverless.Jobs.Tenancy;
using Serverless.Orchestrations.Tests.Support;
using Serverless.Storage.Results;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// Redrive (issue 27 item 2) and incremental runs (item 3) on a local folder: a rerun classifies
/// exactly the parent's failed images (counted by the engine), names its parent, is listed by it, and
/// the merged view gives the newest row per key; skipExisting copies the rows of unchanged images
/// and classifies only what changed; bad reruns are 400/404/409 naming why.
/// </summary>
[Collection(TaskHubCollection.Name)]
public sealed class RedriveAndSkipExistingTests(TaskHubHost hub)
{
    private RerunSubmission Reruns => hub.Services.GetRequiredService<RerunSubmission>();
    private JobResults Results => hub.Services.GetRequiredService<JobResults>();

    [Fact]
    public async Task A_rerun_after_the_bad_images_are_fixed_classifies_exactly_them_and_the_merged_view_has_no_failure()
    {
        var source = hub.WriteImages("redrive-" + Guid.NewGuid().ToString("N")[..6], 10, seed: 91);
        var good = Directory.GetFiles(source).Order(StringComparer.Ordinal).ToArray();
        await File.WriteAllBytesAsync(Path.Combine(source, "broken-empty.jpg"), []);
        await File.WriteAllTextAsync(Path.Combine(source, "broken-text.jpg"), "not an image");
        var output = Path.Combine(hub.Root, "out-" + Path.GetFileName(source));
        var parentId = await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, Output = output, Format = "csv" });
        var parent = await hub.WaitAsync(parentId);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, parent.RuntimeStatus);
        Assert.Equal(2, parent.ReadOutputAs<JobOutput>()!.Failed);

        // Reasons that are no error code, reasons the job has no failure of, and an unknown job: refused before anything starts.
        Assert.Contains("'nonsense' is not an error code", (await RerunAsync(parentId, new RerunRequest { Failed = true, Reasons = ["nonsense"] })).Errors!["reasons"]);
        var none = (await RerunAsync(parentId, new RerunRequest { Failed = true, Reasons = ["read_failed"] })).Refusal!.Value;
        Assert.Equal(400, none.Status);
        Assert.Contains("no failed images with reason read_failed", none.Detail);
        Assert.Equal(404, (await RerunAsync("no-such-job", new RerunRequest { Failed = true })).Refusal!.Value.Status);
        Assert.Contains("must be true", (await RerunAsync(parentId, new RerunRequest())).Errors!["failed"]);

        File.Copy(good[0], Path.Combine(source, "broken-empty.jpg"), overwrite: true);
        File.Copy(good[1], Path.Combine(source, "broken-text.jpg"), overwrite: true);
        var rerun = await RerunAsync(parentId, new RerunRequest { Failed = true, Reasons = ["empty_file", "unsupported_format"] });
        var childId = rerun.Submitted!.JobId!;
        Assert.Equal(2, rerun.Images);
        var child = await hub.WaitAsync(childId);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, child.RuntimeStatus);
        var childOutput = child.ReadOutputAs<JobOutput>()!;
        Assert.Equal((2, 0, parentId), (childOutput.Images, childOutput.Failed, childOutput.ParentJob));
        Assert.Equal(2, child.ReadCustomStatusAs<JobProgress>()!.Done); // the engine's own count: two images classified
        var childSummary = await new ResultWriter(hub.Resources.Results(Path.Combine(output, "reruns", childId))).ReadSummaryAsync();
        Assert.Equal((2L, 2L, parentId), (childSummary.Total, childSummary.Succeeded, childSummary.ParentJob));
        var parentSummary = await new ResultWriter(hub.Resources.Results(output)).ReadSummaryAsync();
        Assert.Equal(childId, Assert.Single(parentSummary.Reruns!).JobId);

        var own = await RowsAsync(parentId, merged: false);
        Assert.Equal(2, own.Count(r => r.Failed));
        var merged = await RowsAsync(parentId, merged: true);
        Assert.Equal(12, merged.Count);
        Assert.Equal(12, merged.Select(r => r.Key).Distinct().Count());
        Assert.DoesNotContain(merged, r => r.Failed);

        // The rerun has no failure of its own: nothing to rerun; a running job cannot be rerun yet.
        var nothing = (await RerunAsync(childId, new RerunRequest { Failed = true })).Refusal!.Value;
        Assert.Equal((400, $"Job '{childId}' has no failed images."), (nothing.Status, nothing.Detail));
        var running = await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, Output = output + "-running" });
        Assert.Equal(409, (await RerunAsync(running, new RerunRequest { Failed = true })).Refusal!.Value.Status);
        await hub.WaitAsync(running);
    }

    [Fact]
    public async Task Reruns_submitted_at_the_same_moment_are_all_listed_by_their_parent()
    {
        var source = hub.WriteImages("reruns-" + Guid.NewGuid().ToString("N")[..6], 2, seed: 92);
        await File.WriteAllBytesAsync(Path.Combine(source, "broken.jpg"), []);
        var output = Path.Combine(hub.Root, "out-" + Path.GetFileName(source));
        var parentId = await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, Output = output });
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await hub.WaitAsync(parentId)).RuntimeStatus);

        // Each reads the parent's summary before any has linked itself: a read-modify-write would keep one.
        var ids = Enumerable.Range(0, 4).Select(i => $"{parentId}-again-{i}").ToArray();
        var outcomes = await Task.WhenAll(ids.Select(id => RerunAsync(parentId, new RerunRequest { Failed = true, Id = id })));

        Assert.All(outcomes, o => Assert.Equal(1, o.Images));
        var parentSummary = await new ResultWriter(hub.Resources.Results(output)).ReadSummaryAsync();
        Assert.Equal(ids, parentSummary.Reruns!.Select(r => r.JobId).Order(StringComparer.Ordinal));
        foreach (var id in ids)
            Assert.Equal(OrchestrationRuntimeStatus.Completed, (await hub.WaitAsync(id)).RuntimeStatus);
    }

    [Fact]
    public async Task A_rerun_reads_the_failed_rows_in_its_job_and_fails_naming_them_when_they_are_gone()
    {
        var source = hub.WriteImages("rerun-gone-" + Guid.NewGuid().ToString("N")[..6], 2, seed: 94);
        await File.WriteAllBytesAsync(Path.Combine(source, "broken.jpg"), []);
        var output = Path.Combine(hub.Root, "out-" + Path.GetFileName(source));
        var parentId = await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, Output = output });
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await hub.WaitAsync(parentId)).RuntimeStatus);
        // Its failed row removed by hand: the summary still counts it, so the request is taken; the job finds none.
        foreach (var predictions in Directory.GetFiles(output, "*.jsonl", SearchOption.AllDirectories))
            await File.WriteAllLinesAsync(predictions, (await File.ReadAllLinesAsync(predictions)).Where(l => !l.Contains("broken.jpg", StringComparison.Ordinal)));

        var rerun = await RerunAsync(parentId, new RerunRequest { Failed = true });
        var done = await hub.WaitAsync(rerun.Submitted!.JobId!);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Contains($"the predictions of job {parentId} in {output} hold no failed rows: nothing to rerun", done.FailureDetails!.ErrorMessage);
    }

    [Fact]
    public async Task Skip_existing_classifies_nothing_when_nothing_changed_and_only_a_replaced_image()
    {
        var source = hub.WriteImages("skip-" + Guid.NewGuid().ToString("N")[..6], 12, seed: 93);
        var files = Directory.GetFiles(source).Order(StringComparer.Ordinal).ToArray();
        var first = Path.Combine(hub.Root, "out-" + Path.GetFileName(source));
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, Output = first, Format = "csv" }))).RuntimeStatus);

        var again = await RunAsync(source, first + "-again", first);
        Assert.Equal((0L, 12L), (again.Progress.Done, again.Progress.Skipped));
        Assert.Equal((12L, 12L, 0L), (again.Summary.Total, again.Summary.Skipped, again.Summary.Failed));

        // Replaced: other bytes, another size and time, so another ETag.
        File.Copy(files[0], files[5], overwrite: true);
        File.SetLastWriteTimeUtc(files[5], DateTime.UtcNow.AddMinutes(1));
        var changed = await RunAsync(source, first + "-changed", first);
        Assert.Equal((1L, 11L), (changed.Progress.Done, changed.Progress.Skipped));
        Assert.Equal((12L, 11L), (changed.Summary.Total, changed.Summary.Skipped));
        var rows = (await hub.ReadPredictionsAsync(first + "-changed")).ToDictionary(r => r.Key);
        Assert.Equal(12, rows.Count);
        Assert.All(rows.Values, r => Assert.Null(r.ErrorCode));

        // Not a job's output: refused at submission, naming the field.
        var refused = await hub.Submission.SubmitAsync(hub.Client, new JobRequest { Source = source, Model = hub.Model, SkipExisting = source }, CancellationToken.None);
        Assert.Contains("holds no job's predictions", refused.Errors["skipExisting"]);
    }

    private async Task<(JobProgress Progress, JobSummary Summary)> RunAsync(string source, string output, string skipExisting)
    {
        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, Output = output, SkipExisting = skipExisting }));
        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, done.FailureDetails?.ErrorMessage);
        return (done.ReadCustomStatusAs<JobProgress>()!, await new ResultWriter(hub.Resources.Results(output)).ReadSummaryAsync());
    }

    private Task<RerunOutcome> RerunAsync(string id, RerunRequest request) => Reruns.SubmitAsync(hub.Client, id, request, CallerIdentity.Implicit, CancellationToken.None);

    private async Task<List<PredictionRow>> RowsAsync(string id, bool merged)
    {
        var outcome = await Results.OpenAsync(hub.Client, id, merged, CancellationToken.None);
        Assert.True(outcome.Rows is not null, outcome.Detail);
        var rows = new List<PredictionRow>();
        await foreach (var row in outcome.Rows!)
            rows.Add(row);
        return rows;
    }
}
