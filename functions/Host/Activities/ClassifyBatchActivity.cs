using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Serverless.BatchInference.Contracts;
using Serverless.Inference;
using Serverless.Orchestrations;
using Serverless.Storage.Results;

namespace Serverless.Host.Activities;

/// <summary>
/// Reads, decodes and classifies one batch with the warm model, writes its predictions as one
/// part under a deterministic name (a rerun overwrites it), and returns only the counts.
/// An image that cannot be read or decoded is a failed row with its reason, never a failed batch.
/// </summary>
public sealed class ClassifyBatchActivity(JobResources resources, ILogger<ClassifyBatchActivity> logger) : TaskActivity<ClassifyBatchInput, JobCounts>
{
    public override async Task<JobCounts> RunAsync(TaskActivityContext context, ClassifyBatchInput input)
    {
        var clock = Stopwatch.StartNew();
        var job = input.Job;
        var ct = context.CancellationToken;
        var source = resources.Source(job.Source);
        var classifier = resources.Classifier(job.Model, job.Preset, job.BatchSize, job.Top);
        var images = input.Keys
            .Select(key => new ImageInput(key, async token => (ReadOnlyMemory<byte>)await source.ReadAllBytesAsync(key, token).ConfigureAwait(false)))
            .ToArray();
        var predictions = await classifier.ClassifyAsync(images, ct).ConfigureAwait(false);
        var rows = predictions.Select(PredictionRows.From).ToArray();
        await new ResultWriter(resources.Results(job.Output)).WritePartAsync(input.PartName, rows, ct).ConfigureAwait(false);
        var counts = PredictionRows.Count(rows, clock.Elapsed.TotalSeconds);
        logger.LogInformation("Classified batch {Part} of job {JobId}: {Images} images, {Failed} failed, {Milliseconds:F0} ms",
            input.PartName, job.JobId, counts.Images, counts.Failed, clock.Elapsed.TotalMilliseconds);
        return counts;
    }
}
