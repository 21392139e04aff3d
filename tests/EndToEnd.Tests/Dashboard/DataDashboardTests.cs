using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Serverless.EndToEnd.Tests.Support;
using Serverless.EndToEnd.Tests.Tenants;
using Xunit.Abstractions;

namespace Serverless.EndToEnd.Tests.Dashboard;

/// <summary>
/// The dashboard's side of issue 27 in a real browser: the submit form's manifest (and the host's 400
/// for one without its key column, under the field), skipExisting, a tenant key's pickers for both, and
/// the job page's "Rerun failed" with the parent and rerun links, over real jobs on s3rver.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class DataDashboardTests(JobStack stack, DataDashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DataDashboardFixture>
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(3);
    private static readonly LocatorWaitForOptions JobEnds = new() { Timeout = (float)JobTimeout.TotalMilliseconds };

    [Fact]
    public async Task A_manifest_job_submitted_with_the_form_completes_and_its_page_shows_the_manifest_and_the_models_hash()
    {
        var run = await fixture.RunAsync(stack);
        var keys = run.GoodKeys.Take(3).ToArray();
        var manifest = await run.WriteAsync("dashdata/manifests/three.csv", "site,path\n" + string.Join("\n", keys.Select((k, i) => $"s{i},{k}")) + "\n");
        var page = await run.SignedInPageAsync();

        await page.GotoAsync("dashboard#/submit");
        // A prefix by default; the manifest's fields appear (and the prefix's go) when a manifest is chosen.
        Assert.True(await page.Locator("#f-listing-source").IsCheckedAsync());
        Assert.True(await page.Locator("#block-manifest").IsHiddenAsync());
        await page.Locator("#f-listing-manifest").CheckAsync();
        Assert.True(await page.Locator("#block-source").IsHiddenAsync());
        Assert.Equal("key", await page.Locator("#f-manifestKeyColumn").InputValueAsync());
        Assert.Contains("parquet", await page.Locator("#f-format option").EvaluateAllAsync<string[]>("options => options.map(o => o.value)"));
        // A source typed before the choice is not sent: exactly one of source and manifest is.
        await page.Locator("#f-listing-source").CheckAsync();
        await page.Locator("#f-source").FillAsync(DataDashboardRun.Location(DataDashboardRun.Good));
        await page.Locator("#f-listing-manifest").CheckAsync();
        await page.Locator("#f-manifest").FillAsync(manifest);
        await page.Locator("#f-manifestKeyColumn").FillAsync("path");
        await page.Locator("#f-model").FillAsync(run.Stack.DominantColor);
        await page.Locator("#f-output").FillAsync(DataDashboardRun.Location("results/dashdata-manifest"));
        output.WriteLine($"screenshot: {await DashboardRun.ScreenshotAsync(page, "20-manifest-submit.png")}");
        await page.Locator("#submit-form button[type=submit]").ClickAsync();

        var id = await JobIdAsync(page);
        await page.Locator(".job-head .badge.Completed").WaitForAsync(JobEnds);
        await Assertions.Expect(page.Locator(".progress .line")).ToContainTextAsync($"{keys.Length} of {keys.Length} images");
        await Assertions.Expect(page.Locator("#manifest")).ToHaveTextAsync(manifest);
        using var jobs = new JobsHttp(run.Host.BaseUrl);
        var status = await StatusAsync(jobs, id);
        var spec = status.GetProperty("input").GetProperty("spec");
        Assert.Equal(manifest, spec.GetProperty("manifest").GetString());
        Assert.Equal("path", spec.GetProperty("manifestKeyColumn").GetString());
        var sha = status.GetProperty("output").GetProperty("modelSha256").GetString()!;
        Assert.Matches("^[0-9a-f]{64}$", sha);
        await Assertions.Expect(page.Locator("#model-sha256")).ToHaveTextAsync(sha);
        await Assertions.Expect(page.Locator("#skipped")).ToHaveTextAsync("0");
        Assert.Equal(0, await page.Locator("#parent-job").CountAsync());
        output.WriteLine($"screenshot: {await DashboardRun.ScreenshotAsync(page, "21-manifest-job.png")}");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_manifest_without_its_key_column_is_refused_with_the_hosts_400_shown_under_the_manifest_field()
    {
        var run = await fixture.RunAsync(stack);
        var manifest = await run.WriteAsync("dashdata/manifests/no-key.csv", $"path\n{run.GoodKeys[0]}\n");
        var page = await run.SignedInPageAsync();

        await page.GotoAsync("dashboard#/submit");
        await page.Locator("#f-listing-manifest").CheckAsync();
        await page.Locator("#f-manifest").FillAsync(manifest);
        await page.Locator("#f-model").FillAsync(run.Stack.DominantColor);
        await page.Locator("#f-output").FillAsync(DataDashboardRun.Location("results/dashdata-no-key"));
        await page.Locator("#submit-form button[type=submit]").ClickAsync();

        var error = page.Locator("#block-manifest .field-error");
        await Assertions.Expect(error).ToBeVisibleAsync();
        await Assertions.Expect(error).ToContainTextAsync($"manifest: the manifest {manifest}, line 1, has no column 'key' in its header (manifestKeyColumn); its columns are path");
        Assert.EndsWith("#/submit", page.Url);
        output.WriteLine($"screenshot: {await DashboardRun.ScreenshotAsync(page, "22-manifest-400.png")}");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_job_submitted_with_skipExisting_copies_the_earlier_jobs_rows_and_its_page_counts_them_as_skipped()
    {
        var run = await fixture.RunAsync(stack);
        using var jobs = new JobsHttp(run.Host.BaseUrl);
        var earlier = DataDashboardRun.Location("results/dashdata-earlier");
        var first = await jobs.SubmitAsync(new { source = DataDashboardRun.Location(DataDashboardRun.Good), model = run.Stack.DominantColor, output = earlier });
        Assert.Equal("Completed", (await jobs.WaitAsync(first, JobTimeout, () => run.Host.OutputTail)).GetProperty("runtimeStatus").GetString());
        var page = await run.SignedInPageAsync();

        await page.GotoAsync("dashboard#/submit");
        await page.Locator("#f-source").FillAsync(DataDashboardRun.Location(DataDashboardRun.Good));
        await page.Locator("#f-model").FillAsync(run.Stack.DominantColor);
        await page.Locator("#f-output").FillAsync(DataDashboardRun.Location("results/dashdata-again"));
        await page.Locator("#f-skipExisting").FillAsync(earlier);
        await page.Locator("#submit-form button[type=submit]").ClickAsync();

        var id = await JobIdAsync(page);
        await page.Locator(".job-head .badge.Completed").WaitForAsync(JobEnds);
        await Assertions.Expect(page.Locator("#skip-existing")).ToHaveTextAsync(earlier);
        await Assertions.Expect(page.Locator("#skipped")).ToHaveTextAsync(run.GoodKeys.Count.ToString());
        var status = await StatusAsync(jobs, id);
        Assert.Equal(earlier, status.GetProperty("input").GetProperty("spec").GetProperty("skipExisting").GetString());
        Assert.False(status.GetProperty("input").GetProperty("spec").TryGetProperty("manifest", out var manifest) && manifest.ValueKind == JsonValueKind.String);
        Assert.Equal(run.GoodKeys.Count, status.GetProperty("output").GetProperty("skipped").GetInt64());
        output.WriteLine($"screenshot: {await DashboardRun.ScreenshotAsync(page, "23-skip-existing.png")}");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Rerun_failed_on_a_job_with_a_corrupt_image_starts_a_linked_job_whose_page_shows_its_parent()
    {
        var run = await fixture.RunAsync(stack);
        using var jobs = new JobsHttp(run.Host.BaseUrl);
        var parent = await jobs.SubmitAsync(new { source = DataDashboardRun.Location(DataDashboardRun.Mixed), model = run.Stack.DominantColor, output = DataDashboardRun.Location("results/dashdata-mixed") });
        Assert.Equal("Completed", (await jobs.WaitAsync(parent, JobTimeout, () => run.Host.OutputTail)).GetProperty("runtimeStatus").GetString());
        var page = await run.SignedInPageAsync();

        await page.GotoAsync($"dashboard#/jobs/{parent}");
        await page.Locator(".job-head .badge.Completed").WaitForAsync();
        await Assertions.Expect(page.Locator("#rerun-failed")).ToBeVisibleAsync();
        Assert.Equal(["corrupt_image", "unsupported_format"],
            (await page.Locator("#rerun-reasons option").EvaluateAllAsync<string[]>("options => options.map(o => o.value)")).Order());

        // The host's 400 for a reason that is none, sent as a hostile page would, is shown beside the button.
        await page.Locator("#rerun-reasons").EvaluateAsync("s => s.add(new Option('no_such_reason', 'no_such_reason', true, true))");
        await page.Locator("#rerun-failed").ClickAsync();
        await Assertions.Expect(page.Locator("#rerun-message")).ToContainTextAsync("reasons: 'no_such_reason' is not an error code");
        await Assertions.Expect(page.Locator("#rerun-message")).ToContainTextAsync("(400)");
        Assert.EndsWith($"#/jobs/{parent}", page.Url);

        // Only the corrupt image: a new job over exactly it, linked both ways.
        await page.Locator("#rerun-reasons").SelectOptionAsync("corrupt_image");
        output.WriteLine($"screenshot: {await DashboardRun.ScreenshotAsync(page, "24-rerun-button.png")}");
        await page.Locator("#rerun-failed").ClickAsync();
        await page.WaitForURLAsync(url => !url.EndsWith($"#/jobs/{parent}", StringComparison.Ordinal));
        var rerun = await JobIdAsync(page);
        Assert.NotEqual(parent, rerun);
        await Assertions.Expect(page.Locator("#parent-job a")).ToHaveTextAsync(parent);
        await page.Locator(".job-head .badge.Completed").WaitForAsync(JobEnds);
        await Assertions.Expect(page.Locator(".progress .line")).ToContainTextAsync("1 of 1 images");
        var status = await StatusAsync(jobs, rerun);
        Assert.Equal(parent, status.GetProperty("output").GetProperty("parentJob").GetString());
        Assert.Equal(1, status.GetProperty("output").GetProperty("failuresByReason").GetProperty("corrupt_image").GetInt64());
        output.WriteLine($"screenshot: {await DashboardRun.ScreenshotAsync(page, "25-rerun-job.png")}");

        // The parent's page lists its rerun (from its summary.json), and the link leads back.
        await page.Locator("#parent-job a").ClickAsync();
        await Assertions.Expect(page.Locator("#reruns a")).ToHaveTextAsync(rerun);
        Assert.EndsWith($"#/jobs/{parent}", page.Url);
        var links = await JsonAsync(jobs, $"api/dashboard/jobs/{parent}/reruns");
        Assert.Equal(JsonValueKind.Null, links.GetProperty("parentJob").ValueKind);
        Assert.Equal([rerun], links.GetProperty("reruns").EnumerateArray().Select(r => r.GetProperty("jobId").GetString()));
        Assert.Equal(parent, (await JsonAsync(jobs, $"api/dashboard/jobs/{rerun}/reruns")).GetProperty("parentJob").GetString());
        using var unknown = await jobs.GetAsync("api/dashboard/jobs/no-such-job/reruns");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_tenant_keys_form_offers_its_allowed_sources_for_the_manifest_and_skipExisting()
    {
        var run = await fixture.RunAsync(stack);
        using var master = new JobsHttp(run.Host.BaseUrl);
        await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await master.SendAsync(TenantAdminTests.Put("api/tenants/dash-data", new
        {
            allowSources = new[] { DataDashboardRun.Location("dashdata/*"), "s3://drops/*" },
            allowOutputs = new[] { DataDashboardRun.Location("results/dash-data/*") },
        })));
        var (_, key) = await TenantAdminTests.CreateKeyAsync(master, "dash-data", "submitter");
        var page = await run.SignedInPageAsync(key);

        await page.GotoAsync("dashboard#/submit");
        await page.Locator("#f-listing-manifest").CheckAsync();
        // The manifest is judged as a source, and each key it lists as it is listed: every allowed source is offered.
        Assert.Equal([DataDashboardRun.Location("dashdata/"), "s3://drops/"],
            await page.Locator("#f-manifest-base option").EvaluateAllAsync<string[]>("options => options.map(o => o.value)"));
        Assert.Equal(["", DataDashboardRun.Location("dashdata/"), "s3://drops/"],
            await page.Locator("#f-skipExisting-base option").EvaluateAllAsync<string[]>("options => options.map(o => o.value)"));
        // skipExisting is optional: "none" sends nothing, so the rest of its path cannot be typed.
        Assert.True(await page.Locator("#f-skipExisting").IsDisabledAsync());
        await page.Locator("#f-skipExisting-base").SelectOptionAsync(DataDashboardRun.Location("dashdata/"));
        Assert.True(await page.Locator("#f-skipExisting").IsEnabledAsync());
        output.WriteLine($"screenshot: {await DashboardRun.ScreenshotAsync(page, "26-tenant-manifest.png")}");
        await page.Context.CloseAsync();
    }

    private static async Task<string> JobIdAsync(IPage page)
    {
        await page.WaitForURLAsync(url => url.Contains("#/jobs/", StringComparison.Ordinal));
        return Uri.UnescapeDataString(new Uri(page.Url).Fragment["#/jobs/".Length..]);
    }

    private static Task<JsonElement> StatusAsync(JobsHttp jobs, string id) => JsonAsync(jobs, $"api/jobs/{Uri.EscapeDataString(id)}?showInput=true");

    private static async Task<JsonElement> JsonAsync(JobsHttp jobs, string path)
    {
        using var response = await jobs.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize<JsonElement>(text);
    }
}
