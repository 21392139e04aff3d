using Microsoft.DurableTask;
using Serverless.BatchInference.Contracts;
using Serverless.Storage.Results;
using Serverless.Jobs;
using Serverless.Jobs.Merge;

namespace Serverless.Activities;

/// <summary>
/// Joins the merge shards into the job's outputs (predictions, their manifest, summary.json,
/// samples.json, report.html: <see cref="ResultsJoin"/>) and returns the job's output.
/// </summary>
public sealed class WriteResultsActivity(JobResources resources, ActivityShutdown shutdown) : TaskActivity<WriteResultsInput, JobOutput>
{
    /// <inheritdoc/>
    public override async Task<JobOutput> RunAsync(TaskActivityContext context, WriteResultsInput input)
    {
        var job = input.Job;
        var summary = await new ResultsJoin(resources.Results(job.Output)).JoinAsync(job, input.Shards, new SummaryInput
        {
            JobId = job.JobId,
            Model = job.Model,
            Source = job.Source,
            StartedAt = new DateTimeOffset(input.StartedUtc, TimeSpan.Zero),
            FinishedAt = new DateTimeOffset(input.FinishedUtc, TimeSpan.Zero),
            TimingsSeconds = new Dictionary<string, double> { ["activities"] = Math.Round(input.ActivitySeconds, 3) },
        }, input.Samples ?? [], input.MergeStartedUtc is { } merge ? new DateTimeOffset(merge, TimeSpan.Zero) : null, shutdown.Token).ConfigureAwait(false);
        var output = job.Output.TrimEnd('/');
        return new JobOutput(job.JobId, $"{output}/{summary.Predictions}", $"{output}/{ResultWriter.SummaryName}",
            summary.Total, summary.Failed, summary.FailuresByReason.ToDictionary(p => p.Key, p => p.Value),
            summary.ImagesPerSecond ?? 0, summary.ElapsedSeconds ?? 0)
        {
            ReadFailed = summary.FailuresByReason.GetValueOrDefault(PredictionCodes.ReadFailed),
            Healed = summary.Healed,
            ModelSha256 = job.ModelSha256,
            Skipped = summary.Skipped,
            ParentJob = job.ParentJob,
        };
    }
}
