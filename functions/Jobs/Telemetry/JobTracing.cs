using System.Diagnostics;
using Serverless.BatchInference.Contracts;

namespace Serverless.Jobs.Telemetry;

/// <summary>
/// What a job's spans carry besides the Durable Task Framework's own tags (DTFx's ActivitySource
/// <c>DurableTask.Core</c> already makes a span per orchestration, sub-orchestration and activity,
/// tagged <c>durabletask.task.instance_id</c>): the job id on every one, the page and batch where
/// they apply, so a slow batch can be found by job.
/// </summary>
public static class JobTracing
{
    /// <summary>DTFx's ActivitySource.</summary>
    public const string DurableTaskSource = "DurableTask.Core";

    /// <summary>DTFx's tag of the orchestration instance a span belongs to.</summary>
    public const string InstanceIdTag = "durabletask.task.instance_id";

    public const string JobIdTag = "serverless.job.id";
    public const string PageIndexTag = "serverless.page.index";
    public const string PartTag = "serverless.batch.part";
    public const string ImagesTag = "serverless.batch.images";
    public const string FailedTag = "serverless.batch.failed";

    /// <summary>Adds the job id (and page index) that a DTFx span's instance id names; other spans are left alone.</summary>
    public static void TagJob(Activity span)
    {
        if (span.Source.Name != DurableTaskSource || span.GetTagItem(InstanceIdTag) is not string instanceId)
            return;
        if (PageIds.TryParse(instanceId, out var jobId, out var page))
        {
            span.SetTag(JobIdTag, jobId);
            span.SetTag(PageIndexTag, page);
        }
        else
        {
            span.SetTag(JobIdTag, instanceId);
        }
    }

    /// <summary>Tags the span the batch runs in (DTFx's activity span) with the batch and what it produced.</summary>
    public static void TagBatch(Activity? span, ClassifyBatchInput input, JobCounts counts)
    {
        if (span is null)
            return;
        span.SetTag(JobIdTag, input.Job.JobId);
        span.SetTag(PartTag, input.PartName);
        span.SetTag(ImagesTag, counts.Images);
        span.SetTag(FailedTag, counts.Failed);
    }
}
