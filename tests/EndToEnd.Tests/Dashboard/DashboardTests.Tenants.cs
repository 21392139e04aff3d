using System.Net;
using Microsoft.Playwright;
using Serverless.EndToEnd.Tests.Support;
using Serverless.EndToEnd.Tests.Tenants;

namespace Serverless.EndToEnd.Tests.Dashboard;

/// <summary>The dashboard with tenants (issue 26): the key's tenant and role in the header, the form's locations, the master key's tenant column and filter.</summary>
public sealed partial class DashboardTests
{
    [Fact]
    public async Task The_header_shows_the_keys_tenant_and_role_and_the_form_offers_only_the_tenants_locations()
    {
        var run = await RunAsync();
        using var master = new JobsHttp(run.Host.BaseUrl);
        string[] sources = [$"s3://{JobStack.Bucket}/dash-team/*", $"s3://{JobStack.Bucket}/shared/in"];
        await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await master.SendAsync(TenantAdminTests.Put("api/tenants/dash-team",
            new { allowSources = sources, allowOutputs = new[] { $"s3://{JobStack.Bucket}/results/dash-team/*" }, modelsDir = "dash-team" })));
        var (_, key) = await TenantAdminTests.CreateKeyAsync(master, "dash-team", "submitter");

        var page = await run.NewPageAsync();
        await SignInAsync(page, key);
        await Assertions.Expect(page.Locator("#whoami")).ToContainTextAsync("dash-team · submitter");
        // A tenant key sees its tenant's jobs only: no tenant column, no tenant filter.
        await Assertions.Expect(page.Locator(".jobs-card .empty")).ToContainTextAsync("No jobs yet");
        Assert.Equal(0, await page.Locator("#tenant-filter").CountAsync());

        await page.GotoAsync("dashboard#/submit");
        await page.Locator("#f-source-base").WaitForAsync();
        Assert.Equal([$"s3://{JobStack.Bucket}/dash-team/", $"s3://{JobStack.Bucket}/shared/in"],
            await page.Locator("#f-source-base option").EvaluateAllAsync<string[]>("options => options.map(o => o.value)"));
        Assert.Equal([$"s3://{JobStack.Bucket}/results/dash-team/"],
            await page.Locator("#f-output-base option").EvaluateAllAsync<string[]>("options => options.map(o => o.value)"));
        Assert.Equal("dash-team/", await page.Locator("#f-model-dir").InnerTextAsync());
        output.WriteLine($"screenshot: {await DashboardRun.ScreenshotAsync(page, "06-tenant-submit.png")}");
        await page.Context.CloseAsync();

        // The master key: every tenant, with a tenant column and a filter by tenant.
        var admin = await run.NewPageAsync();
        await SignInAsync(admin, JobStack.MasterKey);
        await Assertions.Expect(admin.Locator("#whoami")).ToContainTextAsync("master key");
        await admin.Locator($"#jobs tr[data-job-id='{run.JobId}'] td.tenant").WaitForAsync();
        Assert.Contains("Tenant", await admin.Locator("#jobs thead").InnerTextAsync());
        Assert.Contains("dash-team", await admin.Locator("#tenant-filter option").AllInnerTextsAsync());
        await admin.Locator("#tenant-filter").SelectOptionAsync("dash-team");
        await Assertions.Expect(admin.Locator(".jobs-card .empty")).ToContainTextAsync("No jobs yet");
        Assert.Contains("tenant=dash-team", admin.Url, StringComparison.Ordinal);
        output.WriteLine($"screenshot: {await DashboardRun.ScreenshotAsync(admin, "07-admin-tenants.png")}");
        await admin.Context.CloseAsync();

        // A function key: no tenant, no tenant column.
        var function = await run.NewPageAsync();
        await SignInAsync(function, JobStack.FunctionKey);
        await Assertions.Expect(function.Locator("#whoami")).ToContainTextAsync("function key");
        await function.Locator($"#jobs tr[data-job-id='{run.JobId}']").WaitForAsync();
        Assert.DoesNotContain("Tenant", await function.Locator("#jobs thead").InnerTextAsync());
        await function.Context.CloseAsync();
    }
}
