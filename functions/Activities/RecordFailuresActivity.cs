using Microsoft.DurableTask;
using Serverless.Jobs.Telemetry;
using Serverless.BatchInference.Contracts;
using Serverless.Storage.Results;
using Serverless.Jobs;
using Serverless.Jobs.Classification;
using Serverless.Jobs.Pages;

namespace Serverless.Activities;

/// <summary>Writes images that could not be classified at all (their worker kept dying) as failed rows, so none is lost.</summary>
public sealed class RecordFailuresActivity(JobResources resources, ActivityShutdown shutdown) : TaskActivity<RecordFailuresInput, JobCounts>
{
    /// <inheritdoc/>
    public override async Task<JobCounts> RunAsync(TaskActivityContext context, RecordFailuresInput input)
    {
        var job = input.Job;
        var store = resources.Results(job.Output);
        var items = await PageManifests.ReadItemsAsync(store, job.JobId, input.PageIndex, input.First, input.Count, shutdown.Token).ConfigureAwait(false);
        var rows = items.Select(item => PredictionRows.WithListing(PredictionRow.Failure(item.Key, input.Code, input.Message) with { ModelSha256 = input.Job.ModelSha256 }, item)).ToArray();
        await new ResultWriter(store).WriteRowsAsync(JobWorkArea.Part(job.JobId, input.PartName), rows, shutdown.Token).ConfigureAwait(false);
        var counts = PredictionRows.Count(rows, 0);
        JobMetrics.Record(counts, job.Model, seconds: null);
        return counts;
    }
}
