using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Serverless.BatchInference.Scheduling;

namespace Serverless.Jobs.Scheduling;

/// <summary>The scheduler's state as the API, the dashboard and the metrics show it (<c>GET api/scheduler</c>).</summary>
public sealed class SchedulerView(IOptions<SchedulingOptions> options)
{
    /// <summary>Reads the entity's state (one read of the task hub); empty before any job used it.</summary>
    public async Task<SchedulerSnapshot> ReadAsync(DurableTaskClient client, CancellationToken cancellationToken)
    {
        var entity = await client.Entities.GetEntityAsync<SchedulerState>(SchedulerIds.Entity, includeState: true, cancellationToken).ConfigureAwait(false);
        var state = entity?.State ?? new SchedulerState();
        var policy = new SlotPolicy(state, DateTime.UtcNow);
        // What the entity would forget at its next call (holders and waiting jobs that stopped calling) is not shown, nor counted by a 429.
        policy.Expire();
        var holders = state.Holders.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p =>
        {
            var job = state.Jobs.GetValueOrDefault(p.Value.JobId);
            return new HolderRow(p.Key, p.Value.JobId, job?.Tenant ?? "", job is null ? "normal" : policy.EffectivePriority(job),
                p.Value.Running, p.Value.Reserved, Math.Max(p.Value.Want - p.Value.Reserved, 0), p.Value.Waiting);
        }).ToArray();
        var jobs = state.Jobs.OrderBy(p => p.Value.Arrived).Select(p =>
            new JobRow(p.Key, p.Value.Tenant, policy.EffectivePriority(p.Value), p.Value.Admitted, p.Value.Waiting)).ToArray();
        var tenants = state.Tenants.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p =>
            new TenantRow(p.Key, p.Value.Rules.Weight, p.Value.Rules.MaxUnits, p.Value.Rules.MaxRunningJobs, p.Value.Rules.MaxImagesPerJob)).ToArray();
        return new SchedulerSnapshot(options.Value.Enabled, state.Slots == 0 ? options.Value.Slots : state.Slots, state.Granted, holders, jobs, tenants);
    }
}

/// <summary>The scheduler's state: slots, who holds them, the jobs it knows, the tenants' shares.</summary>
public sealed record SchedulerSnapshot(bool Enabled, int Slots, long Granted, IReadOnlyList<HolderRow> Holders, IReadOnlyList<JobRow> Jobs, IReadOnlyList<TenantRow> Tenants)
{
    /// <summary>The snapshot limited to one tenant's rows (what a tenant admin sees).</summary>
    public SchedulerSnapshot For(string tenant) => this with
    {
        Holders = Holders.Where(h => h.Tenant == tenant).ToArray(),
        Jobs = Jobs.Where(j => j.Tenant == tenant).ToArray(),
        Tenants = Tenants.Where(t => t.Name == tenant).ToArray(),
    };
}

/// <summary>A page holding or wanting slots.</summary>
public sealed record HolderRow(string Page, string Job, string Tenant, string Priority, int Running, int Reserved, int Want, string? Waiting);

/// <summary>A job the scheduler knows: admitted, or waiting to start.</summary>
public sealed record JobRow(string Id, string Tenant, string Priority, bool Admitted, string? Waiting);

/// <summary>A tenant's share and quotas as the scheduler applies them.</summary>
public sealed record TenantRow(string Name, int Weight, int? MaxUnits, int? MaxRunningJobs, long? MaxImagesPerJob);
