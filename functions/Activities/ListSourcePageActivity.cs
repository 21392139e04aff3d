using Microsoft.DurableTask;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs;
using Serverless.Jobs.Pages;
using Serverless.Storage;

namespace Serverless.Activities;

/// <summary>
/// Lists one page of the source and writes its keys (with sizes and ETags where the store gives
/// them) to the page's manifest in the job's working area; returns only the manifest's name and
/// its count. The listing token comes from the previous page's manifest, so no key (a local
/// folder's token is one) travels through the engine. An empty page is recorded at once: it has no parts.
/// </summary>
public sealed class ListSourcePageActivity(JobResources resources, Serverless.Jobs.Tenancy.TenantPolicy tenants, ActivityShutdown shutdown) : TaskActivity<ListPageInput, ListPageOutput>
{
    /// <inheritdoc/>
    public override async Task<ListPageOutput> RunAsync(TaskActivityContext context, ListPageInput input)
    {
        var job = input.Job;
        var ct = shutdown.Token;
        var store = resources.Results(job.Output);
        string? token = null;
        if (input.PageIndex > 0)
        {
            var previous = await PageManifests.ReadHeaderAsync(store, job.JobId, input.PageIndex - 1, ct).ConfigureAwait(false);
            token = previous.Next ?? throw new JobDataMissingException(
                $"page {input.PageIndex - 1} of job {job.JobId} was the last page of its listing; there is no page {input.PageIndex}");
        }
        var page = new SourcePage([], null, 0);
        // A rerun's manifest is its parent's failed rows, read here rather than in the request that started it.
        if (job.Rerun is not null && input.PageIndex == 0)
            await Serverless.Jobs.Reruns.RerunManifest.WriteAsync(resources, job, ct).ConfigureAwait(false);
        if (job.Manifest is not null)
            page = await ManifestPages.ReadPageAsync(resources, job, token, await tenants.ReadCheckAsync(job.Tenant, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
        else
            page = OwnOutput.Without(await StorePages.ListAsync(resources.Listing(job.Source), token, job.PageSize, ct).ConfigureAwait(false), job.Source, job.Output);
        // skipExisting: the rows already there are copied into a part of the page, and only the rest is listed to classify.
        IReadOnlyList<Serverless.Storage.Results.PredictionRow> copied = [];
        if (job.SkipExisting is not null)
            (page, copied) = await ExistingRows.SplitAsync(resources, job, page, ct).ConfigureAwait(false);
        var existingPart = copied.Count > 0 ? JobWorkArea.ExistingPart(input.PageIndex) : null;
        if (existingPart is not null)
            await new Serverless.Storage.Results.ResultWriter(store).WriteRowsAsync(JobWorkArea.Part(job.JobId, existingPart), copied, ct).ConfigureAwait(false);
        var manifest = await PageManifests.WriteAsync(store, job.JobId, input.PageIndex, page, ct, copied.Count).ConfigureAwait(false);
        if (page.Keys.Count == 0)
            await PageManifests.WriteRecordAsync(store, job.JobId, input.PageIndex, new PageRecord(0, [], ExistingPart: existingPart), ct).ConfigureAwait(false);
        return new ListPageOutput(input.PageIndex, page.Keys.Count, page.NextToken is null, manifest, copied.Count, PassthroughNames.With(job, page));
    }
}
