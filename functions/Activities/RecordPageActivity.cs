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
        var store = resources.Results(job.Output);
        var record = input.Record;
        // The rows the listing copied from skipExisting are the page's too: the orchestrator knows only their count.
        if (job.SkipExisting is not null && (await PageManifests.ReadHeaderAsync(store, job.JobId, input.PageIndex, shutdown.Token).ConfigureAwait(false)).Existing > 0)
            record = record with { ExistingPart = JobWorkArea.ExistingPart(input.PageIndex) };
        await PageManifests.WriteRecordAsync(store, job.JobId, input.PageIndex, record, shutdown.Token).ConfigureAwait(false);
        return true;
    }
}
