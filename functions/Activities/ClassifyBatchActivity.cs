using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Serverless.Jobs.Attempts;
using Serverless.Jobs.Telemetry;
using Serverless.BatchInference.Contracts;
using Serverless.Inference;
using Serverless.Storage;
using Serverless.Storage.Results;
using Serverless.Jobs;
using Serverless.Jobs.Classification;
using Serverless.Jobs.Merge;
using Serverless.Jobs.Pages;
using Serverless.Jobs.Progress;

namespace Serverless.Activities;

/// <summary>
/// Classifies one work unit: reads its item range from the page's manifest, streams the images
/// through the pipelined classifier (reads, decode and inference overlapped, in inference batches of
/// the job's batch size), writes its predictions as one part under a deterministic name (a rerun
/// overwrites it), and returns only the counts. Its counter (<see cref="UnitProgress"/>) moves as
/// batches finish. An image that cannot be read or decoded is a failed row with its reason, never a
/// failed unit. Each attempt is counted in the <see cref="AttemptLedger"/> first: a unit whose
/// attempts keep killing their worker fails as poison instead of running again.
/// </summary>
public sealed class ClassifyBatchActivity(
    JobResources resources, AttemptLedger attempts, SuspectIsolation isolation, ActivityShutdown shutdown, UnitProgress progress,
    ILogger<ClassifyBatchActivity> logger)
    : TaskActivity<ClassifyBatchInput, JobCounts>
{
    /// <inheritdoc/>
    public override async Task<JobCounts> RunAsync(TaskActivityContext context, ClassifyBatchInput input)
    {
        var job = input.Job;
        var ct = shutdown.Token;
        // The turn first, the attempt then: a unit that waits while a suspect runs alone is not in
        // flight, and must not be counted as crashed if the suspect kills this process. A unit takes an
        // ordinary turn and begins (its first attempt is one insert); one whose earlier attempt crashed
        // is told so uncounted, gives the turn back and waits to run alone, counted only then.
        var turn = await isolation.EnterAsync(suspect: false, ct).ConfigureAwait(false);
        BatchAttempt attempt;
        try
        {
            if (await attempts.BeginAsync(job.JobId, input.PartName, suspects: false, ct).ConfigureAwait(false) is { } begun)
                attempt = begun;
            else
            {
                turn.Dispose();
                turn = await isolation.EnterAsync(suspect: true, ct).ConfigureAwait(false);
                attempt = await attempts.BeginAsync(job.JobId, input.PartName, ct).ConfigureAwait(false);
            }
        }
        catch
        {
            turn.Dispose();
            throw;
        }
        using var held = turn;
        try
        {
            if (attempt.CrashesBefore > 0)
                logger.LogWarning("Unit {Part} of job {JobId} was in flight when a worker died ({Crashes} times): running it alone",
                    input.PartName, job.JobId, attempt.CrashesBefore);
            return await ClassifyAsync(input, ct).ConfigureAwait(false);
        }
        finally
        {
            // Reached whenever this process survived the attempt, whatever its outcome.
            await attempt.EndAsync().ConfigureAwait(false);
        }
    }

    private async Task<JobCounts> ClassifyAsync(ClassifyBatchInput input, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var job = input.Job;
        var results = resources.Results(job.Output);
        var items = await PageManifests.ReadItemsAsync(results, job.JobId, input.PageIndex, input.First, input.Count, ct).ConfigureAwait(false);
        var source = job.Manifest is null ? resources.Source(job.Source) : new ManifestKeys(resources, job.Source);
        var sha256 = resources.PinnedModelSha256(job);
        using var lease = resources.Classifier(job.Model, job.Preset, job.BatchSize, job.Top, job.Outputs);
        var maxBytes = lease.Classifier.Model.Options.MaxEncodedBytes;
        var reporter = progress.Start(job.JobId, input.PageIndex, input.PartName);
        var rows = new List<PredictionRow>(items.Count);
        var listed = items.GroupBy(i => i.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        long failed = 0;
        await foreach (var prediction in lease.Classifier.ClassifyStreamAsync(Inputs(source, items, maxBytes, job.Manifest is not null), ct).ConfigureAwait(false))
        {
            var row = PredictionRows.WithListing(PredictionRows.From(prediction, sha256), listed.GetValueOrDefault(prediction.Key));
            rows.Add(row);
            failed += row.Failed ? 1 : 0;
            if (rows.Count % lease.Classifier.BatchSize == 0 && rows.Count < items.Count)
                await ReportAsync(reporter, rows.Count, failed, final: false, ct).ConfigureAwait(false);
        }
        await PartRows.WriteAsync(results, job, PartNames.Written(input.PartName, job.Format), rows, ct).ConfigureAwait(false);
        await ReportAsync(reporter, rows.Count, failed, final: true, ct).ConfigureAwait(false);
        var counts = PredictionRows.Count(rows, clock.Elapsed.TotalSeconds);
        JobMetrics.Record(counts, job.Model, clock.Elapsed.TotalSeconds);
        // The span this runs in is the engine's (DTFx's activity span under serverless host).
        JobTracing.TagBatch(Activity.Current, input, counts);
        logger.LogInformation("Classified unit {Part} of job {JobId}: {Images} images, {Failed} failed, {Milliseconds:F0} ms",
            input.PartName, job.JobId, counts.Images, counts.Failed, clock.Elapsed.TotalMilliseconds);
        return counts;
    }

    private async Task ReportAsync(UnitProgress.Reporter reporter, long done, long failed, bool final, CancellationToken ct)
    {
        try
        {
            await reporter.ReportAsync(done, failed, final, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Progress is for people watching; the unit's result does not depend on it.
            logger.LogDebug(e, "The progress of a unit could not be written");
        }
    }

    private static async IAsyncEnumerable<ImageInput> Inputs(IImageSource source, IReadOnlyList<SourceObject> items, long maxBytes, bool manifest,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var item in items)
        {
            ct.ThrowIfCancellationRequested();
            yield return ImageReads.From(source, item.Key, maxBytes, item.Size, missingIsNotFound: manifest);
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }
}
