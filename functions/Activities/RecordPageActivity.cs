using Microsoft.DurableTask;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs;
using Serverless.Jobs.Pages;

namespace Serverless.Activities;

/// <summary>Writes the record of the parts a page wrote: what the merge reads, never a listing of the folder.</summary>
public sealed class RecordPageActivity(JobResources resources, ActivityShutdown shutdown) : TaskActivity<RecordPageInput, bool>
{
    /// <inheritdoc/>
    public override async Task<bool> RunAsync(TaskActivityContext context, RecordPageInput input)
    {
        var job = input.Job;
        await PageManifests.WriteRecordAsync(resources.Results(job.Output), job.JobId, input.PageIndex, input.Record, shutdown.Token).ConfigureAwait(false);
        return true;
    }
}
