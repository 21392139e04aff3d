using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Serverless.EndToEnd.Tests.Support;
using Serverless.Jobs.Tenancy;

namespace Serverless.EndToEnd.Tests.Tenants;

/// <summary>
/// Two tenants on one host (real host, Azurite, s3rver): every route the request fuzz test walks,
/// called with one tenant's admin key on the other tenant's job, answers exactly as for an unknown
/// job; lists never show the other's jobs; nothing of the other's is changed.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed partial class TenantIsolationTests(JobStack stack) : IAsyncLifetime
{
    private readonly string hub = "Isolation" + Guid.NewGuid().ToString("N")[..6];
    private HostProcess? host;

    public async Task InitializeAsync() => host = await HostProcess.StartAsync("all", stack.HostEnvironment(hub, new Dictionary<string, string>
    {
        [TenantStore.ReloadSetting.Replace(":", "__")] = "0.5",
    }));

    public async Task DisposeAsync() => await host!.DisposeAsync();

    private static object Team(string results) => new
    {
        allowSources = new[] { $"s3://{JobStack.Bucket}/{JobStack.PhotosPrefix}*" },
        allowOutputs = new[] { $"s3://{JobStack.Bucket}/{results}/*" },
        modelsDir = "models",
    };

    private object Job(string id, string results) => new
    {
        id, source = $"s3://{JobStack.Bucket}/{JobStack.PhotosPrefix}", model = stack.DominantColor, output = $"s3://{JobStack.Bucket}/{results}/{id}",
    };

    [Fact]
    public async Task No_route_lets_one_tenant_see_change_or_read_the_others_jobs()
    {
        using var master = new JobsHttp(host!.BaseUrl);
        await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await master.SendAsync(TenantAdminTests.Put("api/tenants/team-a", Team("results-a"))));
        await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await master.SendAsync(TenantAdminTests.Put("api/tenants/team-b", Team("results-b"))));
        using var a = new JobsHttp(host.BaseUrl, (await TenantAdminTests.CreateKeyAsync(master, "team-a", "admin")).Secret);
        using var b = new JobsHttp(host.BaseUrl, (await TenantAdminTests.CreateKeyAsync(master, "team-b", "admin")).Secret);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var jobA = await a.SubmitAsync(Job("iso-a-" + suffix, "results-a"));
        var jobB = await b.SubmitAsync(Job("iso-b-" + suffix, "results-b"));
        var unknown = "iso-u-" + suffix;
        var endedA = await a.WaitAsync(jobA, TimeSpan.FromMinutes(3), () => host.OutputTail);
        Assert.Equal("Completed", endedA.GetProperty("runtimeStatus").GetString());
        await b.WaitAsync(jobB, TimeSpan.FromMinutes(3), () => host.OutputTail);

        // Every route with a job id: B's key on A's job answers exactly as on a job that does not exist.
        var walked = 0;
        foreach (var (method, pattern) in RequestFuzzTests.Routes.Where(r => r.Path.Contains("{id}", StringComparison.Ordinal)).Distinct())
        {
            var onA = await AnswerAsync(b, method, pattern, jobA, "team-a");
            var onUnknown = await AnswerAsync(b, method, pattern, unknown, "team-zz");
            Assert.True(onA == onUnknown.Replace(unknown, jobA, StringComparison.Ordinal).Replace("team-zz", "team-a", StringComparison.Ordinal),
                $"{method} {pattern}: another tenant's job answered\n{onA}\nan unknown job\n{onUnknown}");
            Assert.DoesNotContain("results-a", onA, StringComparison.Ordinal);
            walked++;
        }
        Assert.True(walked >= 18, $"only {walked} routes with an id were walked");

        // The owner still reads its job, unchanged (ended, not purged, not rewound, no event carried).
        var status = JsonDocument.Parse(await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await a.GetAsync($"api/jobs/{jobA}"))).RootElement;
        Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());
        await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await a.GetAsync($"api/dashboard/jobs/{jobA}/samples"));

        // Lists: each tenant its own jobs only, in every list; the master key all, with their tenant and a tenant filter.
        foreach (var list in new[] { "api/jobs", "runtime/webhooks/durabletask/instances", "api/dashboard/jobs", "api/jobs?tenant=team-a" })
        {
            var seenByB = await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await b.GetAsync(list));
            Assert.DoesNotContain(jobA, seenByB, StringComparison.Ordinal);
            if (!list.Contains("tenant=", StringComparison.Ordinal))
                Assert.Contains(jobB, seenByB, StringComparison.Ordinal);
        }
        var all = await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await master.GetAsync("api/jobs"));
        Assert.Contains(jobA, all, StringComparison.Ordinal);
        Assert.Contains(jobB, all, StringComparison.Ordinal);
        Assert.Contains("\"tenant\":\"team-a\"", all, StringComparison.Ordinal);
        var onlyB = await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await master.GetAsync("api/jobs?tenant=team-b"));
        Assert.Contains(jobB, onlyB, StringComparison.Ordinal);
        Assert.DoesNotContain(jobA, onlyB, StringComparison.Ordinal);
        // The dashboard's list: the master key sees each job's tenant, and filters by tenant.
        Assert.Contains("\"tenant\":\"team-a\"", await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await master.GetAsync("api/dashboard/jobs?pageSize=100")), StringComparison.Ordinal);
        var dashboardB = await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await master.GetAsync("api/dashboard/jobs?pageSize=100&tenant=team-b"));
        Assert.Contains(jobB, dashboardB, StringComparison.Ordinal);
        Assert.DoesNotContain(jobA, dashboardB, StringComparison.Ordinal);

        // The metrics are the whole host's: tenant keys are refused, the master key reads them.
        Assert.Contains("tenant's key is not enough", await TenantAdminTests.AssertStatusAsync(HttpStatusCode.Forbidden, await b.GetAsync("metrics")), StringComparison.Ordinal);
        await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await master.GetAsync("metrics"));

        // B reusing A's id: a conflict that names nothing of A's job, never A's job.
        var reuse = await TenantAdminTests.AssertStatusAsync(HttpStatusCode.Conflict, await b.PostJsonAsync("api/jobs", Job(jobA, "results-b")));
        Assert.DoesNotContain("results-a", reuse, StringComparison.Ordinal);
        Assert.DoesNotContain("team-a", reuse, StringComparison.Ordinal);

        // B's purge by filter purges B's ended jobs only.
        using var purge = await b.DeleteAsync($"api/jobs?createdTimeFrom={DateTime.UtcNow.AddHours(-1):O}");
        await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await a.GetAsync($"api/jobs/{jobA}"));
        await TenantAdminTests.AssertStatusAsync(HttpStatusCode.NotFound, await b.GetAsync($"api/jobs/{jobB}"));
    }

    /// <summary>One request, as status, content type and body (trace ids left out: they differ per request).</summary>
    private static async Task<string> AnswerAsync(JobsHttp http, string method, string pattern, string id, string tenant)
    {
        var path = pattern.Replace("{id}", id, StringComparison.Ordinal)
            .Replace("{name}", pattern.StartsWith("api/tenants", StringComparison.Ordinal) ? tenant : "evt", StringComparison.Ordinal);
        if (pattern.EndsWith("/thumbnail", StringComparison.Ordinal))
            path += "?key=" + Uri.EscapeDataString(JobStack.PhotosPrefix + "x.jpg");
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT")
            request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request);
        var body = TraceId().Replace(await response.Content.ReadAsStringAsync(), "");
        return $"{(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}\n{body}";
    }

    [GeneratedRegex("\"traceId\":\"[^\"]*\",?")]
    private static partial Regex TraceId();
}
