using Microsoft.DurableTask.Entities;

namespace Serverless.BatchInference.Scheduling;

/// <summary>
/// The scheduler: one durable entity (<see cref="SchedulerIds.Entity"/>) from which page orchestrators
/// request unit slots and jobs ask to start. All jobs share one FIFO work-item queue, so priority
/// must act before a unit is queued: a page queues only the units it was granted. Its state lives in
/// the task hub like any entity's (no second storage system) and its decisions are <see cref="SlotPolicy"/>'s.
/// Nothing waits on the entity itself: a page whose call got nothing polls, or is told by the
/// page whose call freed a slot for it.
/// </summary>
public sealed class JobScheduler : TaskEntity<SchedulerState>
{
    /// <summary>A page's call: slots of finished units back, the units it may start now.</summary>
    public SlotGrant Acquire(SlotRequest request) => Policy().Acquire(request);

    /// <summary>A job's call before it lists: whether its tenant's running-jobs quota lets it start.</summary>
    public JobAdmission AdmitJob(JobAdmissionRequest request) => Policy().Admit(request);

    /// <summary>A job ended or was terminated: its slots and its place go back.</summary>
    public JobRelease ReleaseJob(string jobId) => Policy().Release(jobId);

    /// <summary>An admin raised or lowered a job.</summary>
    public void SetPriority(PriorityChange change) => Policy().SetPriority(change);

    /// <summary>An admin changed a tenant's weight or quotas.</summary>
    public void SetTenant(TenantChange change) => Policy().SetTenant(change);

    protected override SchedulerState InitializeState(TaskEntityOperation entityOperation) => new();

    // Entities run each operation once (no replay), so the wall clock is safe here.
    private SlotPolicy Policy() => new(State, DateTime.UtcNow);
}

/// <summary>The scheduler entity's id: one per task hub.</summary>
public static class SchedulerIds
{
    /// <summary>The entity's name, as registered by both hosts (Durable Functions lowercases entity names).</summary>
    public const string Name = "jobscheduler";

    public static EntityInstanceId Entity { get; } = new(Name, "default");
}
