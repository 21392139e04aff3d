using System.Diagnostics;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs;
using Serverless.Jobs.Merge;

namespace Serverless.Activities;

/// <summary>Merges a range of pages, from the parts their records name, into one predictions shard (<see cref="ShardMerger"/>).</summary>
public sealed class MergeShardActivity(JobResources resources, ActivityShutdown shutdown, ILogger<MergeShardActivity> logger) : TaskActivity<MergeShardInput, bool>
{
    /// <inheritdoc/>
    public override async Task<bool> RunAsync(TaskActivityContext context, MergeShardInput input)
    {
        var job = input.Job;
        var clock = Stopwatch.StartNew();
        var stats = await new ShardMerger(resources.Results(job.Output), job.Outputs, job.PassthroughColumns)
            .MergeAsync(job.JobId, input.Shard, input.FirstPage, input.PageCount, job.Format is "csv" or "parquet" ? job.Format : "jsonl", shutdown.Token).ConfigureAwait(false);
        logger.LogInformation("Merged shard {Shard} of job {JobId}: {Rows} rows from {Parts} parts, {Milliseconds:F0} ms",
            stats.Name, job.JobId, stats.Rows, stats.Parts, clock.Elapsed.TotalMilliseconds);
        return true;
    }
}
