namespace Serverless.Jobs.Scheduling;

/// <summary>The scheduler's settings (host.json's <c>scheduling</c> section; environment <c>scheduling__slots</c>).</summary>
public sealed class SchedulingOptions
{
    public const string SectionName = "scheduling";

    /// <summary>Jobs submitted while on run under the scheduler (priorities, fair share, quotas); off, they run as before it existed.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Work units queued or running at once across the deployment. Twice the activity slots of all
    /// workers keeps each worker's next unit queued while it runs one; fewer leaves workers idle, more
    /// lets a late high-priority unit wait behind more queued ones. Under KEDA: maxReplicaCount x
    /// maxConcurrentActivityFunctions x 2 (the queue must grow for KEDA to add workers).
    /// </summary>
    public int Slots { get; set; } = 4;
}
