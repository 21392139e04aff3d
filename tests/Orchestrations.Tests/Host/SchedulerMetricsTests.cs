using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Host.Telemetry;
using Serverless.Jobs.Scheduling;

namespace Serverless.Orchestrations.Tests.Host;

/// <summary>
/// The scheduler's gauges: units by priority, tenant and state, jobs waiting by tenant, from the
/// scheduler's state read at most once per interval however often /metrics is scraped.
/// </summary>
public sealed class SchedulerMetricsTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private readonly ManualClock clock = new();

    [Fact]
    public void Units_are_summed_by_priority_and_tenant_in_three_states()
    {
        var snapshot = Snapshot(
            [Holder("a~p0", "a", "team-a", "high", running: 3, reserved: 1, want: 3), Holder("a~p1", "a", "team-a", "high", running: 2, reserved: 0, want: 0),
             Holder("b~p0", "b", "team-b", "low", running: 0, reserved: 0, want: 5), Holder("c~p0", "c", "", "normal", running: 1, reserved: 2, want: 0)],
            [Job("a", "team-a", admitted: true), Job("b", "team-b", admitted: true, waiting: "all 6 work-unit slots are taken"), Job("c", "", admitted: true)]);

        var units = SchedulerMetrics.Units(snapshot).ToDictionary(m => Labels(m), m => m.Value);

        Assert.Equal(9, units.Count);
        Assert.Equal(5, units["high/team-a/running"]);
        Assert.Equal(1, units["high/team-a/reserved"]);
        Assert.Equal(3, units["high/team-a/waiting"]);
        Assert.Equal(5, units["low/team-b/waiting"]);
        Assert.Equal(0, units["low/team-b/running"]);
        // Work without a tenant is "(none)".
        Assert.Equal(0, units[$"normal/{SchedulerMetrics.NoTenant}/waiting"]);
        Assert.Equal(2, units[$"normal/{SchedulerMetrics.NoTenant}/reserved"]);
    }

    [Fact]
    public void Jobs_waiting_count_jobs_not_started_and_jobs_whose_pages_wait_for_slots_with_every_known_tenant_reported()
    {
        var snapshot = Snapshot(
            [Holder("a~p0", "a", "team-a", "normal", running: 2, reserved: 0, want: 0), Holder("b~p0", "b", "team-a", "normal", running: 0, reserved: 0, want: 3)],
            [Job("a", "team-a", admitted: true), Job("b", "team-a", admitted: true), Job("q", "team-b", admitted: false, waiting: "tenant team-b runs 1 of its 1 jobs (maxRunningJobs)")],
            ["team-a", "team-b", "team-c"]);

        var jobs = SchedulerMetrics.JobsWaiting(snapshot).ToDictionary(m => (string)m.Tags[0].Value!, m => m.Value);

        Assert.Equal(new Dictionary<string, long> { ["team-a"] = 1, ["team-b"] = 1, ["team-c"] = 0 }, jobs);
    }

    [Fact]
    public void A_scheduler_that_is_off_reports_no_series()
    {
        var off = Snapshot([Holder("a~p0", "a", "t", "high", 1, 0, 1)], [Job("a", "t", true)]) with { Enabled = false };
        Assert.Empty(SchedulerMetrics.Units(off));
        Assert.Empty(SchedulerMetrics.JobsWaiting(off));
        Assert.Empty(SchedulerMetrics.Slots(null));
    }

    [Fact]
    public void Scrapes_within_the_interval_read_the_scheduler_once_and_a_stale_copy_is_read_again()
    {
        var reads = 0;
        var sampler = new SchedulerSampler(_ => Task.FromResult(Snapshot([], [Job($"job-{++reads}", "t", true)])), Interval, TimeSpan.FromSeconds(10), clock);

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("job-1", sampler.Current()!.Jobs[0].Id);
            clock.Advance(TimeSpan.FromMilliseconds(200));
        }
        Assert.Equal(1, sampler.Reads);

        clock.Advance(Interval);
        Assert.Equal("job-2", sampler.Current()!.Jobs[0].Id);
        Assert.Equal(2, sampler.Reads);
    }

    [Fact]
    public async Task Concurrent_scrapes_share_one_read_and_a_failed_read_keeps_the_previous_copy()
    {
        var release = new TaskCompletionSource();
        var calls = 0;
        var sampler = new SchedulerSampler(async _ =>
        {
            if (Interlocked.Increment(ref calls) == 2)
                throw new InvalidOperationException("storage is away");
            await release.Task;
            return Snapshot([], [Job("first", "t", true)]);
        }, Interval, TimeSpan.FromSeconds(10), clock);

        var scrapes = Enumerable.Range(0, 8).Select(_ => Task.Run(sampler.Current)).ToArray();
        await Task.Delay(200);
        release.SetResult();
        Assert.All(await Task.WhenAll(scrapes), s => Assert.Equal("first", s!.Jobs[0].Id));
        Assert.Equal(1, sampler.Reads);

        clock.Advance(Interval);
        Assert.Equal("first", sampler.Current()!.Jobs[0].Id);
        Assert.Equal(2, sampler.Reads);
    }

    [Fact]
    public void The_gauges_are_published_under_their_names_from_the_sampled_state()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var sampler = new SchedulerSampler(_ => Task.FromResult(Snapshot([Holder("a~p0", "a", "team-a", "high", 2, 0, 3)], [Job("a", "team-a", true)])),
            Interval, TimeSpan.FromSeconds(10), clock);
        using var metrics = new SchedulerMetrics(sampler, services.GetRequiredService<IMeterFactory>());
        var seen = new List<(string Name, long Value, string Labels)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == SchedulerMetrics.MeterName)
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            seen.Add((instrument.Name, value, string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}")))));
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Contains(("serverless.scheduler.units", 3L, "priority=high,tenant=team-a,state=waiting"), seen);
        Assert.Contains(("serverless.scheduler.units", 2L, "priority=high,tenant=team-a,state=running"), seen);
        Assert.Contains(("serverless.scheduler.jobs.waiting", 1L, "tenant=team-a"), seen);
        Assert.Contains(("serverless.scheduler.slots", 6L, ""), seen);
        Assert.Equal(1, sampler.Reads);
    }

    private static string Labels(Measurement<long> m) => string.Join("/", m.Tags.ToArray().Select(t => t.Value));

    private static SchedulerSnapshot Snapshot(IReadOnlyList<HolderRow> holders, IReadOnlyList<JobRow> jobs, IReadOnlyList<string>? tenants = null) =>
        new(Enabled: true, Slots: 6, Granted: 10, Holders: holders, Jobs: jobs,
            Tenants: (tenants ?? []).Select(t => new TenantRow(Name: t, Weight: 1, MaxUnits: null, MaxRunningJobs: null, MaxImagesPerJob: null)).ToList());

    // want: as SchedulerView gives it, what the page wants beyond its reservation.
    private static HolderRow Holder(string page, string job, string tenant, string priority, int running, int reserved, int want) =>
        new(Page: page, Job: job, Tenant: tenant, Priority: priority, Running: running, Reserved: reserved, Want: want, Waiting: want > 0 ? "slots taken" : null);

    private static JobRow Job(string id, string tenant, bool admitted, string? waiting = null) =>
        new(Id: id, Tenant: tenant, Priority: "normal", Admitted: admitted, Waiting: waiting);

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset now = new(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }
}
