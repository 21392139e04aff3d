using System.Net;
using System.Text.Json;
using Azure.Storage.Blobs;
using Serverless.EndToEnd.Tests.Support;
using Serverless.Jobs.Tenancy;
using Serverless.Storage;

namespace Serverless.EndToEnd.Tests.Tenants;

/// <summary>
/// Tenants and their keys over a real host: the admin routes with the master key only, bad input
/// as 400/404 (never 500), a key's tenant and role resolved by the key middleware and its role's
/// refusals, and a tenants document that does not parse leaving the last good one in force.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class TenantAdminTests(JobStack stack) : IAsyncLifetime
{
    private readonly string hub = "Tenants" + Guid.NewGuid().ToString("N")[..6];
    private HostProcess? host;

    public async Task InitializeAsync() => host = await HostProcess.StartAsync("api", stack.HostEnvironment(hub, new Dictionary<string, string>
    {
        [TenantStore.ReloadSetting.Replace(":", "__")] = "0.5",
    }));

    public async Task DisposeAsync() => await host!.DisposeAsync();

    internal static object TeamA => new { allowSources = new[] { "s3://photos/team-a/*" }, allowOutputs = new[] { "s3://photos/results-a/*" }, modelsDir = "team-a" };

    [Fact]
    public async Task Tenants_and_keys_are_created_listed_and_deleted_with_the_master_key_only()
    {
        using var admin = new JobsHttp(host!.BaseUrl);
        await AssertStatusAsync(HttpStatusCode.OK, await admin.SendAsync(Put("api/tenants/team-a", TeamA)));
        var tenant = await JsonAsync(await admin.GetAsync("api/tenants/team-a"));
        Assert.Equal("s3://photos/team-a/*", tenant.GetProperty("allowSources")[0].GetString());
        Assert.Equal("team-a", tenant.GetProperty("modelsDir").GetString());
        var list = await JsonAsync(await admin.GetAsync("api/tenants"));
        Assert.Equal(["team-a"], list.GetProperty("tenants").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(JsonValueKind.Null, list.GetProperty("problem").ValueKind);

        var created = await CreateKeyAsync(admin, "team-a", "reader");
        var keys = await admin.GetAsync("api/keys");
        var keysText = await keys.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, keys.StatusCode);
        Assert.Contains(created.Id, keysText, StringComparison.Ordinal);
        // Never the key, nor its hash, in a list.
        Assert.DoesNotContain(created.Secret, keysText, StringComparison.Ordinal);
        Assert.DoesNotContain("sha256", keysText, StringComparison.OrdinalIgnoreCase);

        // Neither a function key nor a tenant's own admin key reaches the platform admin's routes.
        var tenantAdmin = await CreateKeyAsync(admin, "team-a", "admin");
        foreach (var key in new[] { JobStack.FunctionKey, tenantAdmin.Secret })
        {
            using var other = new JobsHttp(host.BaseUrl, key);
            await AssertStatusAsync(HttpStatusCode.Forbidden, await other.GetAsync("api/tenants"));
            await AssertStatusAsync(HttpStatusCode.Forbidden, await other.PostJsonAsync("api/keys", new { tenant = "team-a", role = "admin" }));
        }
        using (var none = new JobsHttp(host.BaseUrl, "not-a-key"))
            await AssertStatusAsync(HttpStatusCode.Unauthorized, await none.GetAsync("api/tenants"));

        // Revoked: the key stops working; deleted: the tenant's keys go with it and it takes no new ones.
        await AssertStatusAsync(HttpStatusCode.OK, await admin.DeleteAsync($"api/keys/{created.Id}"));
        using (var revoked = new JobsHttp(host.BaseUrl, created.Secret))
            await AssertStatusAsync(HttpStatusCode.Unauthorized, await revoked.GetAsync("api/jobs"));
        await AssertStatusAsync(HttpStatusCode.OK, await admin.DeleteAsync("api/tenants/team-a"));
        using (var orphan = new JobsHttp(host.BaseUrl, tenantAdmin.Secret))
            await AssertStatusAsync(HttpStatusCode.Unauthorized, await orphan.GetAsync("api/jobs"));
        var refused = await admin.PostJsonAsync("api/keys", new { tenant = "team-a", role = "reader" });
        Assert.Contains("no tenant 'team-a'", await AssertStatusAsync(HttpStatusCode.NotFound, refused), StringComparison.Ordinal);
        Assert.Empty((await JsonAsync(await admin.GetAsync("api/keys"))).GetProperty("keys").EnumerateArray());
    }

    [Fact]
    public async Task Bad_input_is_a_clear_400_or_404_never_a_500()
    {
        using var admin = new JobsHttp(host!.BaseUrl);
        Assert.Contains("allowSources", await AssertStatusAsync(HttpStatusCode.BadRequest, await admin.SendAsync(Put("api/tenants/team-x",
            new { allowSources = new[] { "ftp://photos/x/*" }, allowOutputs = new[] { "s3://photos/out/*" } }))), StringComparison.Ordinal);
        Assert.Contains("is not a location", await AssertStatusAsync(HttpStatusCode.BadRequest, await admin.SendAsync(Put("api/tenants/team-x",
            new { allowSources = new[] { "s3://Photos/*" }, allowOutputs = new[] { "s3://photos/out/*" } }))), StringComparison.Ordinal);
        Assert.Contains("allowOutputs", await AssertStatusAsync(HttpStatusCode.BadRequest, await admin.SendAsync(Put("api/tenants/team-x",
            new { allowSources = new[] { "s3://photos/x/*" } }))), StringComparison.Ordinal);
        Assert.Contains("modelsDir", await AssertStatusAsync(HttpStatusCode.BadRequest, await admin.SendAsync(Put("api/tenants/team-x",
            new { allowSources = new[] { "s3://photos/x/*" }, allowOutputs = new[] { "s3://photos/out/*" }, modelsDir = "../other" }))), StringComparison.Ordinal);
        Assert.Contains("not a tenant name", await AssertStatusAsync(HttpStatusCode.BadRequest, await admin.SendAsync(Put("api/tenants/Team_X", TeamA))), StringComparison.Ordinal);
        var notJson = new HttpRequestMessage(HttpMethod.Put, "api/tenants/team-x") { Content = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json") };
        await AssertStatusAsync(HttpStatusCode.BadRequest, await admin.SendAsync(notJson));
        await AssertStatusAsync(HttpStatusCode.BadRequest, await admin.PostRawAsync("api/keys", "[1,2]"));

        await AssertStatusAsync(HttpStatusCode.NotFound, await admin.GetAsync("api/tenants/nobody"));
        await AssertStatusAsync(HttpStatusCode.NotFound, await admin.DeleteAsync("api/tenants/nobody"));
        await AssertStatusAsync(HttpStatusCode.NotFound, await admin.DeleteAsync("api/keys/key-000000000000"));
        await AssertStatusAsync(HttpStatusCode.NotFound, await admin.PostJsonAsync("api/keys", new { tenant = "nobody", role = "reader" }));
        await AssertStatusAsync(HttpStatusCode.OK, await admin.SendAsync(Put("api/tenants/team-a", TeamA)));
        Assert.Contains("reader, submitter, admin", await AssertStatusAsync(HttpStatusCode.BadRequest,
            await admin.PostJsonAsync("api/keys", new { tenant = "team-a", role = "owner" })), StringComparison.Ordinal);
        await AssertStatusAsync(HttpStatusCode.BadRequest, await admin.PostJsonAsync("api/keys", new { role = "reader" }));
    }

    [Fact]
    public async Task A_tenant_key_is_its_tenant_and_role_and_a_role_refuses_what_it_does_not_allow()
    {
        using var admin = new JobsHttp(host!.BaseUrl);
        await AssertStatusAsync(HttpStatusCode.OK, await admin.SendAsync(Put("api/tenants/team-a", TeamA)));
        var reader = await CreateKeyAsync(admin, "team-a", "reader");
        var submitter = await CreateKeyAsync(admin, "team-a", "submitter");

        using (var http = new JobsHttp(host.BaseUrl, reader.Secret))
        {
            await AssertStatusAsync(HttpStatusCode.OK, await http.GetAsync("api/jobs"));
            var submit = await AssertStatusAsync(HttpStatusCode.Forbidden, await http.PostJsonAsync("api/jobs", new { source = "s3://photos/team-a/", model = "x.onnx" }));
            Assert.Contains("key of tenant 'team-a' has the reader role", submit, StringComparison.Ordinal);
            await AssertStatusAsync(HttpStatusCode.Forbidden, await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "api/classify") { Content = new ByteArrayContent([1, 2, 3]) }));
        }
        using (var http = new JobsHttp(host.BaseUrl, submitter.Secret))
        {
            // Reads pass, and so does a submission (judged by the handler); terminate and purge need the tenant's admin role.
            await AssertStatusAsync(HttpStatusCode.OK, await http.GetAsync("api/jobs"));
            var terminate = await AssertStatusAsync(HttpStatusCode.Forbidden, await http.PostJsonAsync("api/jobs/job-x/terminate", new { }));
            Assert.Contains("has the submitter role; POST here needs admin", terminate, StringComparison.Ordinal);
            await AssertStatusAsync(HttpStatusCode.Forbidden, await http.DeleteAsync("api/jobs/job-x"));
        }
    }

    [Fact]
    public async Task A_tenants_document_that_does_not_parse_leaves_the_last_good_one_in_force()
    {
        using var admin = new JobsHttp(host!.BaseUrl);
        await AssertStatusAsync(HttpStatusCode.OK, await admin.SendAsync(Put("api/tenants/team-a", TeamA)));
        var reader = await CreateKeyAsync(admin, "team-a", "reader");
        using var tenantHttp = new JobsHttp(host.BaseUrl, reader.Secret);
        await AssertStatusAsync(HttpStatusCode.OK, await tenantHttp.GetAsync("api/jobs"));

        var blob = new BlobServiceClient(stack.Azurite.ConnectionString)
            .GetBlobContainerClient(TenantStore.ContainerName).GetBlobClient($"{hub.ToLowerInvariant()}/tenants.json");
        await blob.UploadAsync(BinaryData.FromString("{\"tenants\": [ {\"name\": \"broken\""), overwrite: true);

        var problem = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(30); problem.Length == 0 && DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            var list = await JsonAsync(await admin.GetAsync("api/tenants"));
            problem = list.GetProperty("problem").ValueKind == JsonValueKind.String ? list.GetProperty("problem").GetString()! : "";
            if (problem.Length > 0)
                Assert.Equal(["team-a"], list.GetProperty("tenants").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        }
        Assert.Contains("does not parse", problem, StringComparison.Ordinal);
        // The last good keys still work, and the host's log says so.
        await AssertStatusAsync(HttpStatusCode.OK, await tenantHttp.GetAsync("api/jobs"));
        Assert.Contains("does not parse", host.OutputTail, StringComparison.Ordinal);

        // The next change writes the last good document, changed, over the broken one.
        await AssertStatusAsync(HttpStatusCode.OK, await admin.SendAsync(Put("api/tenants/team-b", TeamA)));
        var repaired = await JsonAsync(await admin.GetAsync("api/tenants"));
        Assert.Equal(JsonValueKind.Null, repaired.GetProperty("problem").ValueKind);
        Assert.Equal(["team-a", "team-b"], repaired.GetProperty("tenants").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        await AssertStatusAsync(HttpStatusCode.OK, await tenantHttp.GetAsync("api/jobs"));
    }

    [Fact]
    public async Task The_dashboards_me_route_shows_each_keys_tenant_and_role_and_a_tenant_key_may_come_in_x_serverless_key()
    {
        using var admin = new JobsHttp(host!.BaseUrl);
        await AssertStatusAsync(HttpStatusCode.OK, await admin.SendAsync(Put("api/tenants/team-a", TeamA)));
        var (_, secret) = await CreateKeyAsync(admin, "team-a", "submitter");

        var master = await JsonAsync(await admin.GetAsync("api/dashboard/me"));
        Assert.Equal("master", master.GetProperty("key").GetString());
        Assert.Equal(JsonValueKind.Null, master.GetProperty("tenant").ValueKind);
        Assert.Equal(["team-a"], master.GetProperty("tenants").EnumerateArray().Select(t => t.GetString()));

        using var tenant = new JobsHttp(host.BaseUrl, secret);
        var me = await JsonAsync(await tenant.GetAsync("api/dashboard/me"));
        Assert.Equal("tenant", me.GetProperty("key").GetString());
        Assert.Equal("team-a", me.GetProperty("tenant").GetString());
        Assert.Equal("submitter", me.GetProperty("role").GetString());
        Assert.Equal(["s3://photos/team-a/*"], me.GetProperty("allowSources").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["s3://photos/results-a/*"], me.GetProperty("allowOutputs").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("team-a", me.GetProperty("modelsDir").GetString());
        Assert.Equal(JsonValueKind.Null, me.GetProperty("tenants").ValueKind);

        using var function = new JobsHttp(host.BaseUrl, JobStack.FunctionKey);
        var implicitCaller = await JsonAsync(await function.GetAsync("api/dashboard/me"));
        Assert.Equal("function", implicitCaller.GetProperty("key").GetString());
        Assert.Equal(JsonValueKind.Null, implicitCaller.GetProperty("tenant").ValueKind);
        Assert.Equal(JsonValueKind.Null, implicitCaller.GetProperty("allowSources").ValueKind);

        // The header both hosts read a tenant's key from; it wins over an x-functions-key meant for a Functions host.
        using var both = new JobsHttp(host.BaseUrl, "a-functions-host-key-0001");
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/dashboard/me");
        request.Headers.Add(TenantKeys.HeaderName, secret);
        Assert.Equal("team-a", (await JsonAsync(await both.SendAsync(request))).GetProperty("tenant").GetString());
        using var unknown = new HttpRequestMessage(HttpMethod.Get, "api/dashboard/me");
        unknown.Headers.Add(TenantKeys.HeaderName, "no-such-key-0001");
        await AssertStatusAsync(HttpStatusCode.Unauthorized, await admin.SendAsync(unknown));

        // The master key's tenant filter of the dashboard's list: a name that is none is a 400.
        Assert.Contains("tenant", await AssertStatusAsync(HttpStatusCode.BadRequest, await admin.GetAsync("api/dashboard/jobs?tenant=Not_A_Name")), StringComparison.Ordinal);
        await AssertStatusAsync(HttpStatusCode.OK, await admin.GetAsync("api/dashboard/jobs?tenant=team-a"));
    }

    internal static HttpRequestMessage Put(string path, object body) =>
        new(HttpMethod.Put, path) { Content = System.Net.Http.Json.JsonContent.Create(body) };

    internal static async Task<(string Id, string Secret)> CreateKeyAsync(JobsHttp admin, string tenant, string role)
    {
        var response = await admin.PostJsonAsync("api/keys", new { tenant, role });
        var body = JsonDocument.Parse(await AssertStatusAsync(HttpStatusCode.Created, response)).RootElement;
        Assert.Equal(tenant, body.GetProperty("tenant").GetString());
        Assert.Equal(role, body.GetProperty("role").GetString());
        return (body.GetProperty("id").GetString()!, body.GetProperty("key").GetString()!);
    }

    internal static async Task<string> AssertStatusAsync(HttpStatusCode expected, HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(expected == response.StatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
            return text;
        }
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await AssertStatusAsync(HttpStatusCode.OK, response)).RootElement;
}
