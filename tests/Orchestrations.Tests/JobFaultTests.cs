using System.Text.RegularExpressions;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Activities;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Merge;
using Serverless.Orchestrations.Tests.Support;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// Faults of the job's own data (a page manifest or a part deleted by hand) end with an error that
/// names what is missing; failed reads get a second pass; an error threshold stops running pages.
/// The activities are the host's own, run on files laid out as a job lays them out.
/// </summary>
[Collection(TaskHubCollection.Name)]
public sealed partial class JobFaultTests(TaskHubHost hub)
{
    [Fact]
    public async Task A_unit_whose_page_manifest_was_deleted_fails_naming_the_manifest_without_retries()
    {
        var (job, _) = await ListedJobAsync("no-manifest", 6);
        File.Delete(Path.Combine(job.Output, JobWorkArea.PageManifest(job.JobId, 0)));

        var error = await Assert.ThrowsAsync<JobDataMissingException>(() =>
            Activity<ClassifyBatchActivity>().RunAsync(Context.Instance, new ClassifyBatchInput(job, PartNames.For(0, 0), 0, 0, 4)));

        Assert.Contains(JobWorkArea.PageManifest(job.JobId, 0), error.Message);
        Assert.Contains("is missing", error.Message);
    }

    [Fact]
    public async Task A_merge_whose_part_was_deleted_fails_naming_the_part_and_its_page()
    {
        var (job, _) = await ListedJobAsync("no-part", 6);
        await Activity<ClassifyBatchActivity>().RunAsync(Context.Instance, new ClassifyBatchInput(job, PartNames.For(0, 0), 0, 0, 4));
        await Activity<ClassifyBatchActivity>().RunAsync(Context.Instance, new ClassifyBatchInput(job, PartNames.For(0, 1), 0, 4, 2));
        await Activity<RecordPageActivity>().RunAsync(Context.Instance, new RecordPageInput(job, 0, new PageRecord(6, [PartNames.For(0, 0), PartNames.For(0, 1)])));
        File.Delete(Path.Combine(job.Output, JobWorkArea.Part(job.JobId, PartNames.For(0, 1))));

        var error = await Assert.ThrowsAsync<JobDataMissingException>(() =>
            Activity<MergeShardActivity>().RunAsync(Context.Instance, new MergeShardInput(job, 0, 0, 1)));

        Assert.Contains($"part {PartNames.For(0, 1)} of page 0", error.Message);
        Assert.Contains("is missing", error.Message);
    }

    [Theory]
    [InlineData("jsonl")]
    [InlineData("parquet")] // a Parquet job's unit writes its part as Parquet, which the second pass reads
    public async Task Read_failures_are_tried_again_and_the_merge_puts_the_healed_rows_in_their_place(string format)
    {
        var (job, source) = await ListedJobAsync("heal", 6, format);
        // The first attempt finds two images unreadable (moved away), the second pass finds them back.
        var names = Directory.GetFiles(source).Order(StringComparer.Ordinal).ToArray();
        foreach (var name in names.Take(2))
            File.Move(name, name + ".away");
        var counts = await Activity<ClassifyBatchActivity>().RunAsync(Context.Instance, new ClassifyBatchInput(job, PartNames.For(0, 0), 0, 0, 6));
        Assert.Equal(2, counts.FailuresByReason[PredictionCodes.ReadFailed]);
        await Activity<RecordPageActivity>().RunAsync(Context.Instance, new RecordPageInput(job, 0, new PageRecord(6, [PartNames.Written(PartNames.For(0, 0), format)], ReadFailed: 2)));
        foreach (var name in names.Take(2))
            File.Move(name + ".away", name);

        var delta = await Activity<HealReadFailuresActivity>().RunAsync(Context.Instance, new HealPageInput(job, 0));
        await Activity<MergeShardActivity>().RunAsync(Context.Instance, new MergeShardInput(job, 0, 0, 1));
        var output = await Activity<WriteResultsActivity>().RunAsync(Context.Instance, new WriteResultsInput(job, 1, 1, 0, DateTime.UtcNow, DateTime.UtcNow));

        Assert.Equal((-2L, -2L), (delta.Failed, delta.FailuresByReason[PredictionCodes.ReadFailed]));
        var rows = new List<PredictionRow>();
        await foreach (var row in PredictionsReader.ReadAsync(ResultStoreFactory.Create(job.Output, new StorageConnections()), CancellationToken.None))
            rows.Add(row);
        Assert.Equal(6, rows.Count);
        Assert.All(rows, r => Assert.Null(r.ErrorCode));
        Assert.Equal((6L, 0L, 0L, 2L), (output.Images, output.Failed, output.ReadFailed, output.Healed));
    }

    [Fact]
    public async Task A_read_that_still_fails_in_the_second_pass_stays_read_failed_and_the_job_says_how_many()
    {
        var source = hub.WriteImages("still-failing", 6, seed: 71);
        // A link to nowhere: listed by name, unreadable every time.
        File.CreateSymbolicLink(Path.Combine(source, "zz_gone.jpg"), Path.Combine(source, "nowhere", "gone.jpg"));
        var output = Path.Combine(hub.Root, "out-still-failing");

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, Output = output }));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var result = done.ReadOutputAs<JobOutput>()!;
        Assert.Equal((7L, 1L, 1L, 0L), (result.Images, result.Failed, result.ReadFailed, result.Healed));
        Assert.Equal(PredictionCodes.ReadFailed, Assert.Single(await hub.ReadPredictionsAsync(output), r => r.Failed).ErrorCode);
    }

    [Fact]
    public async Task A_job_past_its_error_threshold_stops_its_running_pages_and_says_how_many_images_were_left()
    {
        // Page 0: eight broken images; pages 1-5: forty good ones. Two failures are allowed.
        var source = hub.WriteImages("stop", 40, seed: 73);
        for (var i = 0; i < 8; i++)
            await File.WriteAllBytesAsync(Path.Combine(source, $"-broken_{i}.jpg"), [0xFF, 0xD8, 0xFF, 0x00]);
        var output = Path.Combine(hub.Root, "out-stop");

        var done = await hub.WaitAsync(await hub.SubmitAsync(new JobRequest { Source = source, Model = hub.Model, BatchSize = 1, Output = output, MaxFailedImages = 2 }));

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        var match = LeftPattern().Match(done.FailureDetails!.ErrorMessage);
        Assert.True(match.Success, done.FailureDetails.ErrorMessage);
        var rows = await hub.ReadPredictionsAsync(output);
        var listed = match.Groups["listed"].Success ? int.Parse(match.Groups["listed"].Value) : 48;
        // Every listed image is in the predictions or counted as left unclassified; the listing stopped short of the 48.
        Assert.Equal(listed, rows.Count + int.Parse(match.Groups["left"].Value));
        Assert.True(rows.Count < 48, $"{rows.Count} rows: the job ran to the end");
        Assert.Equal(8, rows.Count(r => r.Failed));
    }

    [GeneratedRegex(@"(?<left>\d+) listed images were left unclassified( \(the listing stopped after (?<listed>\d+) images\))?")]
    private static partial Regex LeftPattern();

    private T Activity<T>() where T : notnull => hub.Services.GetRequiredService<T>();

    /// <summary>A job's spec and its page 0 listed (its manifest written) over <paramref name="count"/> images.</summary>
    private async Task<(JobSpec Job, string Source)> ListedJobAsync(string name, int count, string format = "jsonl")
    {
        var id = $"{name}-{Guid.NewGuid().ToString("N")[..8]}";
        var source = hub.WriteImages(id, count, seed: 67);
        var job = new JobSpec(id, source, hub.Model, null, BatchSize: 4, PageSize: 8, MaxBatchesInFlight: 4, Path.Combine(hub.Root, "out-" + id), format, 5, null, null);
        var page = await Activity<ListSourcePageActivity>().RunAsync(Context.Instance, new ListPageInput(job, 0));
        Assert.Equal((count, true), (page.Count, page.IsLast));
        return (job, source);
    }

    private sealed class Context : TaskActivityContext
    {
        public static Context Instance { get; } = new();
        public override TaskName Name => "test";
        public override string InstanceId => "test";
    }
}
