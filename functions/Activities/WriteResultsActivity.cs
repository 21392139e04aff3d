using Microsoft.DurableTask;
using Serverless.Jobs.Reports;
using Serverless.BatchInference.Contracts;
using Serverless.Storage.Results;
using Serverless.Jobs;

namespace Serverless.Activities;

/// <summary>Merges the parts into predictions.jsonl (or .csv), summary.json, samples.json and report.html, and returns the job's output.</summary>
public sealed class WriteResultsActivity(JobResources resources, ActivityShutdown shutdown) : TaskActivity<WriteResultsInput, JobOutput>
{
    /// <inheritdoc/>
    public override async Task<JobOutput> RunAsync(TaskActivityContext context, WriteResultsInput input)
    {
        var job = input.Job;
        var writer = new ResultWriter(resources.Results(job.Output));
        var format = job.Format == "csv" ? PredictionFormat.Csv : PredictionFormat.Jsonl;
        var summary = await writer.MergeAsync(format, new SummaryInput
        {
            JobId = job.JobId,
            Model = job.Model,
            Source = job.Source,
            StartedAt = new DateTimeOffset(input.StartedUtc, TimeSpan.Zero),
            FinishedAt = new DateTimeOffset(input.FinishedUtc, TimeSpan.Zero),
            TimingsSeconds = new Dictionary<string, double> { ["activities"] = Math.Round(input.Counts.ActivitySeconds, 3) },
        }, shutdown.Token).ConfigureAwait(false);
        var samples = await writer.ReadSamplesAsync(cancellationToken: shutdown.Token).ConfigureAwait(false);
        await writer.Store.WriteAsync(JobReport.FileName, JobReport.Render(summary, input.Samples ?? [], samples), shutdown.Token).ConfigureAwait(false);
        var output = job.Output.TrimEnd('/');
        return new JobOutput(job.JobId, $"{output}/{summary.Predictions}", $"{output}/{ResultWriter.SummaryName}",
            summary.Total, summary.Failed, summary.FailuresByReason.ToDictionary(p => p.Key, p => p.Value),
            summary.ImagesPerSecond ?? 0, summary.ElapsedSeconds ?? 0);
    }
}
