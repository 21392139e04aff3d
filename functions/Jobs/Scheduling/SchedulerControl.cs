using Microsoft.DurableTask.Client;
using Serverless.BatchInference.Scheduling;

namespace Serverless.Jobs.Scheduling;

/// <summary>
/// What the API tells the scheduler entity (<see cref="JobScheduler"/>), as signals: they are queued
/// in the task hub and applied in order, so an answer does not wait for the entity.
/// </summary>
public sealed class SchedulerControl
{
    /// <summary>An admin's change of a job's priority; running pages apply it from their next call.</summary>
    public Task SetPriorityAsync(DurableTaskClient client, string jobId, string priority, CancellationToken cancellationToken) =>
        client.Entities.SignalEntityAsync(SchedulerIds.Entity, nameof(JobScheduler.SetPriority), new PriorityChange(jobId, priority), cancellation: cancellationToken);

    /// <summary>A tenant's new weight and quotas (null: deleted).</summary>
    public Task SetTenantAsync(DurableTaskClient client, string tenant, TenantRules? rules, CancellationToken cancellationToken) =>
        client.Entities.SignalEntityAsync(SchedulerIds.Entity, nameof(JobScheduler.SetTenant), new TenantChange(tenant, rules), cancellation: cancellationToken);

    /// <summary>A job terminated or purged from outside: its place and slots go back now, not when its lease ends.</summary>
    public Task ReleaseJobAsync(DurableTaskClient client, string jobId, CancellationToken cancellationToken) =>
        client.Entities.SignalEntityAsync(SchedulerIds.Entity, nameof(JobScheduler.ReleaseJob), jobId, cancellation: cancellationToken);
}
