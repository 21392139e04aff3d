using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Serverless.EndToEnd.Tests.Support;
using Xunit.Abstractions;

namespace Serverless.EndToEnd.Tests.Dashboard;

/// <summary>
/// The scheduler on the dashboard and on /metrics (issue 28 item 4), with real jobs on a real host:
/// a tenant with a quota of one running job submits two; the second waits for the first, and says so.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class SchedulerDashboardTests(JobStack stack, SchedulerDashboardFixture fixture, ITestOutputHelper output) : IClassFixture<SchedulerDashboardFixture>
{
    private static readonly string[] Priorities = ["high", "normal", "low"];

    [Fact]
    public async Task The_dashboard_shows_priority_and_why_a_job_waits_and_lets_the_tenants_admin_change_it_showing_the_hosts_refusal()
    {
        var run = await fixture.RunAsync(stack);
        const string tenant = "sched-ui";
        var (adminKey, submitterKey) = await run.TenantAsync(tenant);
        using var submitter = new JobsHttp(run.Host.BaseUrl, submitterKey);
        using var master = new JobsHttp(run.Host.BaseUrl);
        var first = await submitter.SubmitAsync(run.Job(tenant, "sched-ui-first", "normal"));
        // The second is submitted once the first has started: it is the one that waits.
        await SchedulerJobAsync(master, first, job => job.GetProperty("admitted").GetBoolean());
        var second = await submitter.SubmitAsync(run.Job(tenant, "sched-ui-second", "low"));
        try
        {
            var reason = await WaitingAsync(run, master, second);
            Assert.Contains($"tenant {tenant} runs 1 of its 1 jobs (maxRunningJobs)", reason, StringComparison.Ordinal);
            // Suspended, the first keeps its place: the second waits for as long as the test needs.
            using (var suspended = await master.PostJsonAsync($"api/jobs/{first}/suspend?reason=test", new { }))
                Assert.Equal(HttpStatusCode.Accepted, suspended.StatusCode);

            var page = await run.NewPageAsync();
            await SignInAsync(page, adminKey);
            var row = page.Locator($"#jobs tr[data-job-id='{second}']");
            await row.WaitForAsync();
            Assert.Contains("Priority", await page.Locator("#jobs thead").InnerTextAsync());
            await Assertions.Expect(row.Locator(".priority")).ToHaveTextAsync("low");
            await Assertions.Expect(page.Locator($"#jobs tr[data-job-id='{first}'] .priority")).ToHaveTextAsync("normal");
            await Assertions.Expect(row.Locator("td.state .waiting")).ToContainTextAsync($"waiting: tenant {tenant} runs 1 of its 1 jobs (maxRunningJobs)");
            output.WriteLine($"screenshot: {await DashboardRun.ScreenshotAsync(page, "10-scheduler-jobs.png")}");

            // The job's page: its priority, why it waits, and the admin's select.
            await row.Locator("a").ClickAsync();
            await Assertions.Expect(page.Locator("#waiting")).ToContainTextAsync($"waiting: tenant {tenant} runs 1 of its 1 jobs (maxRunningJobs)");
            await Assertions.Expect(page.Locator("#priority")).ToHaveTextAsync("low");
            await Assertions.Expect(page.Locator("#priority-select")).ToHaveValueAsync("low");
            await page.Locator("#priority-select").SelectOptionAsync("high");
            await Assertions.Expect(page.Locator("#priority-message")).ToHaveTextAsync("priority set to high");
            // The scheduler holds the change (what the tenant's admin sees of it).
            using var admin = new JobsHttp(run.Host.BaseUrl, adminKey);
            await SchedulerJobAsync(admin, second, job => job.GetProperty("priority").GetString() == "high");

            // A refusal's text: the host's 400 for a name that is none, sent as a hostile page would.
            await page.Locator("#priority-select").EvaluateAsync("s => s.add(new Option('urgent', 'urgent'))");
            await page.Locator("#priority-select").SelectOptionAsync("urgent");
            await Assertions.Expect(page.Locator("#priority-message")).ToContainTextAsync("'urgent' is not a priority");
            await Assertions.Expect(page.Locator("#priority-message")).ToContainTextAsync("(400)");
            await Assertions.Expect(page.Locator("#priority-message")).ToHaveClassAsync("error");
            Assert.NotEqual("urgent", await page.Locator("#priority-select").InputValueAsync());
            output.WriteLine($"screenshot: {await DashboardRun.ScreenshotAsync(page, "11-scheduler-job.png")}");
            await page.Context.CloseAsync();

            // A submitter sees the priority and the reason, and is offered no control.
            var reader = await run.NewPageAsync();
            await SignInAsync(reader, submitterKey);
            await reader.GotoAsync($"dashboard#/jobs/{second}");
            await Assertions.Expect(reader.Locator("#waiting")).ToContainTextAsync("maxRunningJobs");
            Assert.Equal(0, await reader.Locator("#priority-control").CountAsync());
            await reader.Context.CloseAsync();
        }
        finally
        {
            await run.TerminateAsync(first, second);
        }
    }

    [Fact]
    public async Task Metrics_while_a_job_runs_show_the_schedulers_units_by_priority_tenant_and_state_and_the_jobs_waiting()
    {
        var run = await fixture.RunAsync(stack);
        const string tenant = "sched-metrics";
        var (_, submitterKey) = await run.TenantAsync(tenant);
        using var submitter = new JobsHttp(run.Host.BaseUrl, submitterKey);
        using var master = new JobsHttp(run.Host.BaseUrl);
        var first = await submitter.SubmitAsync(run.Job(tenant, "sched-metrics-first", "normal"));
        await SchedulerJobAsync(master, first, job => job.GetProperty("admitted").GetBoolean());
        var second = await submitter.SubmitAsync(run.Job(tenant, "sched-metrics-second", "high"));
        try
        {
            var metrics = await ScrapeUntilAsync(run, m =>
                m.Values("serverless_scheduler_units", ("tenant", tenant), ("state", "running")).Sum() >= 1
                && m.Values("serverless_scheduler_jobs_waiting", ("tenant", tenant)).Sum() == 1);

            // The running job's units, in each of the three states, under the priority it runs at.
            Assert.Equal(["reserved", "running", "waiting"], Series(metrics, tenant).Where(s => s.Priority == "normal").Select(s => s.State).Order());
            Assert.True(metrics.Value("serverless_scheduler_units", ("priority", "normal"), ("tenant", tenant), ("state", "running")) >= 1);
            Assert.All(Series(metrics, tenant), s => Assert.Contains(s.Priority, Priorities));
            Assert.Equal(1, metrics.Value("serverless_scheduler_jobs_waiting", ("tenant", tenant)));
            Assert.True(metrics.Value("serverless_scheduler_slots") >= 1);
        }
        finally
        {
            await run.TerminateAsync(first, second);
        }
    }

    private static IEnumerable<(string Priority, string State)> Series(PrometheusText metrics, string tenant) =>
        metrics.LabelValues("serverless_scheduler_units", "priority")
            .SelectMany(p => metrics.LabelValues("serverless_scheduler_units", "state")
                .Where(s => metrics.Values("serverless_scheduler_units", ("priority", p), ("tenant", tenant), ("state", s)).Count > 0)
                .Select(s => (p, s)));

    /// <summary>Polls the job's status until its custom status says why it waits; returns the reason.</summary>
    private static async Task<string> WaitingAsync(SchedulerDashboardRun run, JobsHttp http, string id)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            using var response = await http.GetAsync($"api/jobs/{id}");
            var status = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
            if (status.TryGetProperty("customStatus", out var custom) && custom.ValueKind == JsonValueKind.Object
                && custom.TryGetProperty("waiting", out var waiting) && waiting.ValueKind == JsonValueKind.String)
                return waiting.GetString()!;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"job {id} never said why it waits: {status}\napi/scheduler: {await SchedulerTextAsync(http)}\n{run.Host.OutputTail}");
            await Task.Delay(500);
        }
    }

    private static async Task<string> SchedulerTextAsync(JobsHttp http)
    {
        using var response = await http.GetAsync("api/scheduler");
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    /// <summary>Polls <c>api/scheduler</c> until the job's row satisfies <paramref name="done"/>.</summary>
    private static async Task SchedulerJobAsync(JobsHttp http, string id, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var response = await http.GetAsync("api/scheduler");
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"api/scheduler: {(int)response.StatusCode} {text}");
            var row = JsonSerializer.Deserialize<JsonElement>(text).GetProperty("jobs").EnumerateArray().FirstOrDefault(j => j.GetProperty("id").GetString() == id);
            if (row.ValueKind == JsonValueKind.Object && done(row))
                return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"api/scheduler never showed job {id} as expected: {text}");
            await Task.Delay(500);
        }
    }

    private static Task<PrometheusText> ScrapeUntilAsync(SchedulerDashboardRun run, Func<PrometheusText, bool> ready) =>
        PrometheusText.ScrapeUntilAsync(run.Host.BaseUrl, TimeSpan.FromSeconds(120), ready, async text =>
        {
            using var master = new JobsHttp(run.Host.BaseUrl);
            return $"/metrics did not show the scheduler's units within 120 s:\n{string.Join('\n', text.Split('\n').Where(l => l.Contains("scheduler", StringComparison.Ordinal)))}\napi/scheduler: {await SchedulerTextAsync(master)}\n{run.Host.OutputTail}";
        });

    private static async Task SignInAsync(IPage page, string key)
    {
        await page.GotoAsync("dashboard");
        await page.Locator("#key-input").FillAsync(key);
        await page.Locator("#key-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#key-view")).ToBeHiddenAsync();
    }
}
