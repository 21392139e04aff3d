using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Serverless.BatchInference.Scheduling;
using Serverless.Jobs.Tenancy;

namespace Serverless.Jobs.Scheduling;

/// <summary>
/// What a submission asks of the scheduler: the terms its job runs under (slots, the tenant's weight
/// and quotas now), and whether the tenant's hard limit of queued jobs refuses it (a 429).
/// </summary>
public sealed class JobScheduling(IOptions<SchedulingOptions> options, TenantStore tenants, SchedulerView view)
{
    /// <summary>Seconds a refused submitter is told to wait: about a poll of a waiting job.</summary>
    public const int RetryAfterSeconds = 30;

    /// <summary>The terms of a job of <paramref name="tenant"/>, or null when the scheduler is off.</summary>
    public async Task<SchedulingTerms?> TermsAsync(string? tenant, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
            return null;
        var rules = tenant is null ? TenantRules.Default : (await tenants.GetAsync(cancellationToken).ConfigureAwait(false)).Find(tenant)?.Rules() ?? TenantRules.Default;
        return new SchedulingTerms(options.Value.Slots, tenant ?? "", rules);
    }

    /// <summary>Why a new job of <paramref name="tenant"/> is refused now (its queued jobs at the tenant's maxQueuedJobs); null when it is not.</summary>
    public async Task<string?> BusyAsync(DurableTaskClient client, string? tenant, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled || tenant is null
            || (await tenants.GetAsync(cancellationToken).ConfigureAwait(false)).Find(tenant)?.MaxQueuedJobs is not { } max)
            return null;
        var snapshot = await view.ReadAsync(client, cancellationToken).ConfigureAwait(false);
        var queued = snapshot.Jobs.Count(j => j.Tenant == tenant && !j.Admitted);
        return queued >= max
            ? $"tenant {tenant} has {queued} jobs waiting to start, its limit (maxQueuedJobs {max}); retry after {RetryAfterSeconds} s, when one has started"
            : null;
    }
}
