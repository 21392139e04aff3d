using System.Text.Json;
using Microsoft.Playwright;
using Serverless.EndToEnd.Tests.Support;

namespace Serverless.EndToEnd.Tests.Dashboard;

/// <summary>The dashboard in a real browser (Debian's chromium driven by Playwright).</summary>
public sealed partial class DashboardTests
{
    [Fact]
    public async Task The_dashboard_asks_for_a_key_then_shows_the_job_in_the_list_and_its_page_with_chart_thumbnails_and_failures()
    {
        var run = await RunAsync();
        var page = await run.NewPageAsync();
        var urls = new List<string>();
        page.Request += (_, request) => urls.Add(request.Url);

        await page.GotoAsync("dashboard");
        await page.Locator("#key-input").WaitForAsync();
        Assert.Equal("", await page.Locator("#view").InnerTextAsync());
        output.WriteLine($"screenshot: {await DashboardRun.ScreenshotAsync(page, "01-key.png")}");
        await page.Locator("#key-input").FillAsync(JobStack.FunctionKey);
        await page.Locator("#key-form button[type=submit]").ClickAsync();

        // The list, newest first: the later job above the main one.
        var row = page.Locator($"#jobs tr[data-job-id='{run.JobId}']");
        await row.WaitForAsync();
        Assert.Contains("Completed", await row.InnerTextAsync());
        Assert.Contains($"{run.Keys.Count} / {run.Keys.Count}", await row.InnerTextAsync());
        var order = await page.Locator("#jobs tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.jobId)");
        Assert.True(Array.IndexOf(order, run.LaterJobId) is >= 0 and var later && later < Array.IndexOf(order, run.JobId), $"order: {string.Join(", ", order)}");
        output.WriteLine($"screenshot: {await DashboardRun.ScreenshotAsync(page, "02-jobs.png")}");

        // Filtered by state and paged: one completed job a page, the newer first.
        await page.Locator("#state-filter").SelectOptionAsync("Failed");
        await Assertions.Expect(page.Locator(".jobs-card .empty")).ToContainTextAsync("No failed jobs");
        await page.GotoAsync("dashboard#/jobs?state=Completed&size=1");
        await Assertions.Expect(page.Locator("#jobs tbody tr")).ToHaveAttributeAsync("data-job-id", run.LaterJobId);
        await page.Locator("#older").ClickAsync();
        await Assertions.Expect(page.Locator("#jobs tbody tr")).ToHaveAttributeAsync("data-job-id", run.JobId);
        await page.Locator("#newer").ClickAsync();
        await Assertions.Expect(page.Locator("#jobs tbody tr")).ToHaveAttributeAsync("data-job-id", run.LaterJobId);
        await page.GotoAsync("dashboard#/jobs");

        await row.Locator("a").ClickAsync();
        await page.Locator(".job-head .badge.Completed").WaitForAsync();
        Assert.Contains($"{run.Keys.Count} of {run.Keys.Count} images", await page.Locator(".progress .line").InnerTextAsync());
        // The images/s chart: a drawn line over the job's progress samples.
        var line = page.Locator("#rate-chart svg.chart polyline.line");
        await line.WaitForAsync();
        Assert.True((await line.GetAttributeAsync("points"))!.Split(' ').Length >= 4, "the chart has fewer than two steps");
        foreach (var code in run.BadKeys.Values.Distinct())
            Assert.Contains(code, await page.Locator("#failures").InnerTextAsync());
        Assert.NotEmpty((await page.Locator("#classes .bars li").AllInnerTextsAsync()));

        // A thumbnail, loaded through the API with the key, with the label the job gave the image.
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('#thumbnails img')].some(i => i.complete && i.naturalWidth > 0)");
        var thumb = page.Locator("#thumbnails figure.thumb:has(img)").First;
        var key = await thumb.GetAttributeAsync("data-key");
        var label = await thumb.Locator(".label").InnerTextAsync();
        Assert.Equal(await TopLabelAsync(run, key!), label);
        Assert.True(await thumb.Locator("img").EvaluateAsync<int>("i => Math.max(i.naturalWidth, i.naturalHeight)") <= 256);

        // A failed image with its reason.
        foreach (var (badKey, code) in run.BadKeys)
            Assert.Equal(code, await page.Locator($"#failed-images li.failed-image[data-key='{badKey}'] .reason").InnerTextAsync());
        // Every thumbnail drawn (none still loading, none failed) before the screenshot.
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#thumbnails img').length > 0 && !document.querySelector('#thumbnails .note')");
        Assert.All(await page.Locator("#thumbnails img").EvaluateAllAsync<bool[]>("images => images.map(i => i.complete && i.naturalWidth > 0)"), Assert.True);
        output.WriteLine($"screenshot: {await DashboardRun.ScreenshotAsync(page, "03-job.png")}");

        // The key stays in the tab's sessionStorage and never goes into a URL.
        Assert.Equal(JobStack.FunctionKey, await page.EvaluateAsync<string>("() => sessionStorage.getItem('serverless.key')"));
        Assert.DoesNotContain(urls, u => u.Contains(JobStack.FunctionKey, StringComparison.Ordinal));
        Assert.Contains(urls, u => u.Contains("/thumbnail?", StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_wrong_key_shows_an_error_not_an_empty_page()
    {
        var run = await RunAsync();
        var page = await run.NewPageAsync();
        await page.GotoAsync("dashboard#/jobs");
        await page.Locator("#key-input").FillAsync("not-a-key-of-this-host");
        await page.Locator("#key-form button[type=submit]").ClickAsync();

        var error = page.Locator("#key-error");
        await error.WaitForAsync();
        Assert.Contains("401", await error.InnerTextAsync());
        Assert.True(await page.Locator("#key-view").IsVisibleAsync());
        Assert.Equal(0, await page.Locator("#jobs").CountAsync());
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('serverless.key')"));
        output.WriteLine($"screenshot: {await DashboardRun.ScreenshotAsync(page, "04-wrong-key.png")}");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_job_submitted_with_the_form_is_terminated_and_purged_with_the_master_key_and_a_function_key_is_told_it_is_not_enough()
    {
        var run = await RunAsync();
        var page = await run.NewPageAsync();
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await SignInAsync(page, JobStack.FunctionKey);

        await page.GotoAsync("dashboard#/submit");
        await page.Locator("#f-source").FillAsync($"s3://{JobStack.Bucket}/{JobStack.PhotosPrefix}");
        await page.Locator("#f-model").FillAsync(run.Stack.MobileNet);
        await page.Locator("#f-batchSize").FillAsync("1");
        await page.Locator("#f-format").SelectOptionAsync("parquet");
        await page.Locator("#f-outputs").FillAsync("features");
        // The form's priority: normal unless chosen.
        Assert.Equal("normal", await page.Locator("#f-priority").InputValueAsync());
        await page.Locator("#f-priority").SelectOptionAsync("low");
        output.WriteLine($"screenshot: {await DashboardRun.ScreenshotAsync(page, "05-submit.png")}");
        await page.Locator("#submit-form button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("#/jobs/", StringComparison.Ordinal));
        var id = Uri.UnescapeDataString(new Uri(page.Url).Fragment["#/jobs/".Length..]);
        using (var submitted = new JobsHttp(run.Host.BaseUrl))
        {
            // Held until terminated: a job of 200 photos can end within the seconds the steps below take.
            using (var suspended = await submitted.PostJsonAsync($"api/jobs/{Uri.EscapeDataString(id)}/suspend?reason=test", new { }))
                Assert.Equal(System.Net.HttpStatusCode.Accepted, suspended.StatusCode);
            await page.Locator(".job-head .badge.Suspended").WaitForAsync();
            // The form's format, outputs and priority reached the job as the API takes them.
            var input = System.Text.Json.JsonDocument.Parse(await (await submitted.GetAsync($"api/jobs/{Uri.EscapeDataString(id)}?showInput=true")).Content.ReadAsStringAsync()).RootElement.GetProperty("input").GetProperty("spec");
            Assert.Equal("parquet", input.GetProperty("format").GetString());
            Assert.Equal(["features"], input.GetProperty("outputs").EnumerateArray().Select(o => o.GetString()));
            Assert.Equal("low", input.GetProperty("priority").GetString());
        }

        // A function key may submit, not terminate: the page says why.
        await page.Locator("#terminate").ClickAsync();
        await Assertions.Expect(page.Locator("#banner")).ToContainTextAsync("master key");

        await page.Locator("#forget-key").ClickAsync();
        await EnterKeyAsync(page, JobStack.MasterKey);
        await page.Locator("#terminate").ClickAsync();
        await page.Locator(".job-head .badge.Terminated").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        await page.Locator("#purge").ClickAsync();
        await Assertions.Expect(page.Locator("#banner")).ToContainTextAsync($"Purged job {id}", new LocatorAssertionsToContainTextOptions { Timeout = 60_000 });
        Assert.EndsWith("#/jobs", page.Url);
        using var jobs = new JobsHttp(run.Host.BaseUrl);
        using var gone = await jobs.GetAsync($"api/jobs/{id}");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.StatusCode);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_list_refreshes_itself_as_jobs_come_and_go()
    {
        var run = await RunAsync();
        var page = await run.NewPageAsync();
        await SignInAsync(page, JobStack.FunctionKey);
        await page.Locator($"#jobs tr[data-job-id='{run.JobId}']").WaitForAsync();

        // A job submitted and purged behind the page's back appears, then disappears, with no reload.
        using var jobs = new JobsHttp(run.Host.BaseUrl);
        var id = await jobs.SubmitAsync(new { id = "dashboard-refresh", source = $"s3://{JobStack.Bucket}/dashboard-one/", model = run.Stack.MobileNet, output = $"s3://{JobStack.Bucket}/results/dashboard-refresh" });
        var row = page.Locator($"#jobs tr[data-job-id='{id}']");
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
        await jobs.WaitAsync(id, TimeSpan.FromMinutes(2), () => run.Host.OutputTail);
        await Assertions.Expect(row.Locator(".badge")).ToHaveTextAsync("Completed", new LocatorAssertionsToHaveTextOptions { Timeout = 15_000 });
        using (var purged = await jobs.DeleteAsync($"api/jobs/{id}"))
            Assert.Equal(System.Net.HttpStatusCode.OK, purged.StatusCode);
        await row.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached, Timeout = 15_000 });
        Assert.Equal(0, await page.Locator("#banner:visible").CountAsync());
        await page.Context.CloseAsync();
    }

    private static async Task SignInAsync(IPage page, string key)
    {
        await page.GotoAsync("dashboard");
        await EnterKeyAsync(page, key);
    }

    private static async Task EnterKeyAsync(IPage page, string key)
    {
        await page.Locator("#key-input").FillAsync(key);
        await page.Locator("#key-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#key-view")).ToBeHiddenAsync();
    }

    private static async Task<string> TopLabelAsync(DashboardRun run, string key)
    {
        using var jobs = new JobsHttp(run.Host.BaseUrl);
        using var response = await jobs.GetAsync($"api/dashboard/jobs/{run.JobId}/samples");
        var samples = Json(await response.Content.ReadAsStringAsync());
        return samples.GetProperty("classified").EnumerateArray().Single(r => r.GetProperty("key").GetString() == key)
            .GetProperty("top")[0].GetProperty("label").GetString()!;
    }
}
