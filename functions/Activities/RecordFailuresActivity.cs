using Microsoft.DurableTask;
using Serverless.Jobs.Telemetry;
using Serverless.BatchInference.Contracts;
using Serverless.Storage.Results;
using Serverless.Jobs;
using Serverless.Jobs.Classification;

namespace Serverless.Activities;

/// <summary>Writes images that could not be classified at all (their worker kept dying) as failed rows, so none is lost.</summary>
public sealed class RecordFailuresActivity(JobResources resources, ActivityShutdown shutdown) : TaskActivity<RecordFailuresInput, JobCounts>
{
    /// <inheritdoc/>
    public override async Task<JobCounts> RunAsync(TaskActivityContext context, RecordFailuresInput input)
    {
        var rows = input.Keys.Select(key => PredictionRow.Failure(key, input.Code, input.Message)).ToArray();
        await new ResultWriter(resources.Results(input.Job.Output)).WritePartAsync(input.PartName, rows, shutdown.Token).ConfigureAwait(false);
        var counts = PredictionRows.Count(rows, 0);
        JobMetrics.Record(counts, input.Job.Model, seconds: null);
        return counts;
    }
}
