using System.Diagnostics;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Serverless.Jobs.Attempts;
using Serverless.Jobs.Telemetry;
using Serverless.BatchInference.Contracts;
using Serverless.Inference;
using Serverless.Storage.Results;
using Serverless.Jobs;
using Serverless.Jobs.Classification;

namespace Serverless.Activities;

/// <summary>
/// Reads, decodes and classifies one batch with the warm model, writes its predictions as one
/// part under a deterministic name (a rerun overwrites it), and returns only the counts.
/// An image that cannot be read or decoded is a failed row with its reason, never a failed batch.
/// Each attempt is counted in the <see cref="AttemptLedger"/> first: a batch whose attempts keep
/// killing their worker fails as poison instead of running again.
/// </summary>
public sealed class ClassifyBatchActivity(
    JobResources resources, AttemptLedger attempts, SuspectIsolation isolation, ActivityShutdown shutdown, ILogger<ClassifyBatchActivity> logger)
    : TaskActivity<ClassifyBatchInput, JobCounts>
{
    /// <inheritdoc/>
    public override async Task<JobCounts> RunAsync(TaskActivityContext context, ClassifyBatchInput input)
    {
        var job = input.Job;
        var ct = shutdown.Token;
        var attempt = await attempts.BeginAsync(job.JobId, input.PartName, ct).ConfigureAwait(false);
        try
        {
            if (attempt.CrashesBefore > 0)
                logger.LogWarning("Batch {Part} of job {JobId} was in flight when a worker died ({Crashes} times): running it alone",
                    input.PartName, job.JobId, attempt.CrashesBefore);
            using var turn = await isolation.EnterAsync(suspect: attempt.CrashesBefore > 0, ct).ConfigureAwait(false);
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
        var source = resources.Source(job.Source);
        using var lease = resources.Classifier(job.Model, job.Preset, job.BatchSize, job.Top);
        var maxBytes = lease.Classifier.Model.Options.MaxEncodedBytes;
        var images = input.Keys.Select(key => ImageReads.From(source, key, maxBytes)).ToArray();
        var predictions = await lease.Classifier.ClassifyAsync(images, ct).ConfigureAwait(false);
        var rows = predictions.Select(PredictionRows.From).ToArray();
        await new ResultWriter(resources.Results(job.Output)).WritePartAsync(input.PartName, rows, ct).ConfigureAwait(false);
        var counts = PredictionRows.Count(rows, clock.Elapsed.TotalSeconds);
        JobMetrics.Record(counts, job.Model, clock.Elapsed.TotalSeconds);
        // The span this runs in is the engine's (DTFx's activity span under serverless host).
        JobTracing.TagBatch(Activity.Current, input, counts);
        logger.LogInformation("Classified batch {Part} of job {JobId}: {Images} images, {Failed} failed, {Milliseconds:F0} ms",
            input.PartName, job.JobId, counts.Images, counts.Failed, clock.Elapsed.TotalMilliseconds);
        return counts;
    }
}
