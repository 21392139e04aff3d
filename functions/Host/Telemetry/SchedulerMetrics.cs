using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Serverless.Jobs.Scheduling;

namespace Serverless.Host.Telemetry;

/// <summary>
/// The scheduler's gauges (meter <see cref="MeterName"/>), from the scheduler entity's state as
/// <see cref="SchedulerView"/> reads it, at most once per <see cref="TelemetryOptions.SchedulerInterval"/>
/// (<see cref="SchedulerSampler"/>): work units by priority, tenant and state (running, reserved for a
/// page, waiting: wanted by pages and not granted), jobs held back by tenant, and the deployment's
/// slots. Reported by API processes only, like the task hub's gauges: the state is the hub's, not the
/// process's, and a scaled-out worker fleet would multiply the series. Nothing while the scheduler is off.
/// </summary>
internal sealed class SchedulerMetrics : IHostedService, IDisposable
{
    public const string MeterName = "Serverless.Scheduler";

    /// <summary>The <c>tenant</c> label of work without a tenant (the scheduler's own name for it).</summary>
    public const string NoTenant = "(none)";

    private readonly Meter meter;

    public SchedulerMetrics(SchedulerSampler sampler, IMeterFactory meters)
    {
        meter = meters.Create(MeterName);
        meter.CreateObservableGauge("serverless.scheduler.units", () => Units(sampler.Current()), "{unit}",
            "Work units the scheduler knows, by priority, tenant and state: running (granted to a page), reserved (set aside for a page), waiting (wanted by pages, not granted).");
        meter.CreateObservableGauge("serverless.scheduler.jobs.waiting", () => JobsWaiting(sampler.Current()), "{job}",
            "Jobs that wait, by tenant: to start (the tenant's maxRunningJobs) or for work-unit slots.");
        meter.CreateObservableGauge("serverless.scheduler.slots", () => Slots(sampler.Current()), "{unit}",
            "Work units queued or running at once across the deployment (scheduling slots).");
    }

    /// <summary>Units by (priority, tenant), three states each, from the holders (pages) of the snapshot.</summary>
    public static IReadOnlyList<Measurement<long>> Units(SchedulerSnapshot? snapshot)
    {
        if (snapshot is not { Enabled: true })
            return [];
        var measurements = new List<Measurement<long>>();
        foreach (var group in snapshot.Holders.GroupBy(h => (Priority: h.Priority ?? "normal", Tenant: TenantLabel(h.Tenant))).OrderBy(g => g.Key))
        {
            Add("running", group.Sum(h => (long)h.Running));
            Add("reserved", group.Sum(h => (long)h.Reserved));
            Add("waiting", group.Sum(Waiting));

            void Add(string state, long value) => measurements.Add(new Measurement<long>(value,
                new("priority", group.Key.Priority), new("tenant", group.Key.Tenant), new("state", state)));
        }
        return measurements;
    }

    /// <summary>
    /// Jobs that wait, by tenant: not yet admitted, or with pages that want units they were not granted
    /// (what a job's custom status shows as <c>waiting</c>). Every tenant the scheduler knows is reported, 0 included.
    /// </summary>
    public static IReadOnlyList<Measurement<long>> JobsWaiting(SchedulerSnapshot? snapshot)
    {
        if (snapshot is not { Enabled: true })
            return [];
        var starved = snapshot.Holders.Where(h => Waiting(h) > 0).Select(h => h.Job).ToHashSet(StringComparer.Ordinal);
        var counts = snapshot.Tenants.Select(t => TenantLabel(t.Name)).Concat(snapshot.Jobs.Select(j => TenantLabel(j.Tenant)))
            .Distinct(StringComparer.Ordinal).ToDictionary(t => t, _ => 0L, StringComparer.Ordinal);
        foreach (var job in snapshot.Jobs.Where(j => !j.Admitted || j.Waiting is not null || starved.Contains(j.Id)))
            counts[TenantLabel(job.Tenant)]++;
        return counts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("tenant", p.Key))).ToList();
    }

    /// <summary>The deployment's slots (none while the scheduler is off).</summary>
    public static IReadOnlyList<Measurement<long>> Slots(SchedulerSnapshot? snapshot) =>
        snapshot is { Enabled: true } ? [new Measurement<long>(snapshot.Slots)] : [];

    // The view's Want is what the page wants beyond its reservation: units it waits for.
    private static long Waiting(HolderRow holder) => Math.Max(0L, holder.Want);

    private static string TenantLabel(string? tenant) => string.IsNullOrEmpty(tenant) ? NoTenant : tenant;

    // Hosted only so that the gauges exist from the start; the sampler reads when a scrape asks.
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => meter.Dispose();
}
