using Microsoft.DurableTask;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs;
using Serverless.Jobs.Merge;

namespace Serverless.Activities;

/// <summary>Merges a range of pages, from the parts their records name, into one predictions shard (<see cref="ShardMerger"/>).</summary>
public sealed class MergeShardActivity(JobResources resources, ActivityShutdown shutdown) : TaskActivity<MergeShardInput, bool>
{
    /// <inheritdoc/>
    public override async Task<bool> RunAsync(TaskActivityContext context, MergeShardInput input)
    {
        var job = input.Job;
        await new ShardMerger(resources.Results(job.Output), job.Outputs, job.PassthroughColumns)
            .MergeAsync(job.JobId, input.Shard, input.FirstPage, input.PageCount, job.Format is "csv" or "parquet" ? job.Format : "jsonl", shutdown.Token).ConfigureAwait(false);
        return true;
    }
}
