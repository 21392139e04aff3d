namespace Serverless.BatchInference.Scheduling;

/// <summary>
/// What the scheduler needs to know of a job, fixed when it is submitted: the deployment's unit
/// slots and the tenant's share and quotas then. An admin's later change of a tenant reaches the
/// scheduler directly (<see cref="JobScheduler.SetTenant"/>) and wins over these.
/// </summary>
/// <param name="Slots">Work units queued or running at once across the deployment (<c>scheduling:slots</c>).</param>
/// <param name="Tenant">The tenant whose share and quotas apply ("" for jobs without a tenant).</param>
/// <param name="Rules">The tenant's weight and quotas.</param>
public sealed record SchedulingTerms(int Slots, string Tenant, TenantRules Rules);

/// <summary>A tenant's share of the workers and its quotas (null: no limit).</summary>
/// <param name="Weight">Its share of saturated workers against other tenants of the same priority (1 or more).</param>
/// <param name="MaxUnits">Soft: its work units queued or running at once; more wait.</param>
/// <param name="MaxRunningJobs">Soft: its jobs running at once; more wait before they list.</param>
/// <param name="MaxImagesPerJob">Hard: a job listing more images stops (see README "Priorities and quotas").</param>
public sealed record TenantRules(int Weight = 1, int? MaxUnits = null, int? MaxRunningJobs = null, long? MaxImagesPerJob = null)
{
    /// <summary>A tenant that set nothing.</summary>
    public static TenantRules Default { get; } = new();
}
