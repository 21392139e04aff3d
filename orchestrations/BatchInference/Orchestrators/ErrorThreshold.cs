using Serverless.BatchInference.Contracts;

namespace Serverless.BatchInference.Orchestrators;

/// <summary>The optional per-job error threshold, as Azure ML batch endpoints have it.</summary>
public static class ErrorThreshold
{
    /// <summary>The reason the job must stop, or null while it is within its threshold.</summary>
    public static string? ExceededBy(JobSpec job, JobCounts counts)
    {
        if (job.MaxFailedImages is { } max && counts.Failed > max)
            return $"error threshold exceeded: {counts.Failed} images failed, more than the {max} allowed";
        if (job.MaxFailedPercent is { } pct && counts.Images > 0 && counts.Failed * 100.0 / counts.Images > pct)
            return $"error threshold exceeded: {counts.Failed} of {counts.Images} images failed, more than {pct}%";
        return null;
    }
}
