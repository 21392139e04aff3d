using Microsoft.DurableTask;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs;

namespace Serverless.Activities;

/// <summary>Lists one page of the source (keys and the next page's token): the orchestrator's only view of the listing.</summary>
public sealed class ListSourcePageActivity(JobResources resources, ActivityShutdown shutdown) : TaskActivity<ListPageInput, ListPageOutput>
{
    /// <inheritdoc/>
    public override async Task<ListPageOutput> RunAsync(TaskActivityContext context, ListPageInput input)
    {
        var source = resources.Source(input.Source);
        await foreach (var page in source.ListPagesAsync(input.ContinuationToken, input.PageSize, shutdown.Token).ConfigureAwait(false))
            return new ListPageOutput(page.Keys, page.NextToken);
        return new ListPageOutput([], null);
    }
}
