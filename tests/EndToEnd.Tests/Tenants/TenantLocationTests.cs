using System.Net;
using System.Text.Json;
using Serverless.EndToEnd.Tests.Support;
using Serverless.Jobs.Tenancy;

namespace Serverless.EndToEnd.Tests.Tenants;

/// <summary>
/// A tenant key's locations outside its patterns (job source, output, model, thumbnail, drop) are a
/// 403 naming the rule, judged before any storage is asked: the refused locations name a bucket, a
/// container and a model that do not exist, which storage would have answered with a 400 or 404.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class TenantLocationTests(JobStack stack) : IAsyncLifetime
{
    private const string Missing = "no-such-bucket-zz";
    private readonly string hub = "Locations" + Guid.NewGuid().ToString("N")[..6];
    private HostProcess? host;

    public async Task InitializeAsync() => host = await HostProcess.StartAsync("all", stack.HostEnvironment(hub, new Dictionary<string, string>
    {
        [TenantStore.ReloadSetting.Replace(":", "__")] = "0.5",
    }));

    public async Task DisposeAsync() => await host!.DisposeAsync();

    private static object TeamA(string source) => new
    {
        allowSources = new[] { source, $"s3://{Missing}/team-a/*" },
        allowOutputs = new[] { $"s3://{JobStack.Bucket}/results-a/*" },
        modelsDir = "models",
    };

    [Fact]
    public async Task Every_out_of_pattern_location_is_a_403_naming_its_rule_before_storage_is_asked()
    {
        using var master = new JobsHttp(host!.BaseUrl);
        await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await master.SendAsync(
            TenantAdminTests.Put("api/tenants/team-a", TeamA($"s3://{JobStack.Bucket}/{JobStack.PhotosPrefix}*"))));
        using var a = new JobsHttp(host.BaseUrl, (await TenantAdminTests.CreateKeyAsync(master, "team-a", "submitter")).Secret);
        var source = $"s3://{JobStack.Bucket}/{JobStack.PhotosPrefix}";
        var output = $"s3://{JobStack.Bucket}/results-a/loc";

        await AssertRefusedAsync(await a.PostJsonAsync("api/jobs", new { source = $"s3://{Missing}/team-b/", model = stack.DominantColor, output }), "allowSources");
        await AssertRefusedAsync(await a.PostJsonAsync("api/jobs", new { source = "azblob://nosuchcontainer/team-a/", model = stack.DominantColor, output }), "allowSources");
        await AssertRefusedAsync(await a.PostJsonAsync("api/jobs", new { source, model = stack.DominantColor, output = $"s3://{Missing}/out/" }), "allowOutputs");
        await AssertRefusedAsync(await a.PostJsonAsync("api/jobs", new { source, model = "other-team/none.onnx", output }), "modelsDir");
        // Durable Functions' startNew is a change route: a tenant's admin key.
        using var aAdmin = new JobsHttp(host.BaseUrl, (await TenantAdminTests.CreateKeyAsync(master, "team-a", "admin")).Secret);
        await AssertRefusedAsync(await aAdmin.PostJsonAsync("runtime/webhooks/durabletask/orchestrators/BatchInferenceJob",
            new { source = $"s3://{Missing}/team-b/", model = stack.DominantColor, output }), "allowSources");
        // A drop notification about an object outside the tenant's sources.
        await AssertRefusedAsync(await a.PostRawAsync("api/drops/notify",
            """{"Records":[{"eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"MISSING"},"object":{"key":"team-b%2Fx.png","size":1}}}]}""".Replace("MISSING", Missing, StringComparison.Ordinal)),
            "allowSources");
        // Inside the pattern, the missing bucket is storage's answer (the source check), not a refusal: the rule judged first.
        var inside = await a.PostJsonAsync("api/jobs", new { source = $"s3://{Missing}/team-a/", model = stack.DominantColor, output });
        Assert.Equal(HttpStatusCode.BadRequest, inside.StatusCode);

        // A thumbnail of the tenant's own job, after its sources were narrowed: refused before the image is read.
        var id = await a.SubmitAsync(new { source, model = stack.DominantColor, output });
        await a.WaitAsync(id, TimeSpan.FromMinutes(3), () => host.OutputTail);
        var samples = JsonDocument.Parse(await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await a.GetAsync($"api/dashboard/jobs/{id}/samples"))).RootElement;
        var key = samples.GetProperty("classified")[0].GetProperty("key").GetString()!;
        var thumbnail = $"api/dashboard/jobs/{id}/thumbnail?key={Uri.EscapeDataString(key)}";
        using (var allowed = await a.GetAsync(thumbnail))
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await master.SendAsync(
            TenantAdminTests.Put("api/tenants/team-a", TeamA($"s3://{JobStack.Bucket}/elsewhere/*"))));
        var deadline = DateTime.UtcNow.AddSeconds(15);
        HttpResponseMessage refused;
        while ((refused = await a.GetAsync(thumbnail)).StatusCode == HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            refused.Dispose();
            await Task.Delay(250); // the tenants document is reloaded every 0.5 s
        }
        await AssertRefusedAsync(refused, "allowSources");
        // The master key stays the platform admin: not held to a tenant's patterns.
        using (var platform = await master.GetAsync(thumbnail))
            Assert.Equal(HttpStatusCode.OK, platform.StatusCode);
    }

    [Fact]
    public async Task A_tenants_manifest_is_judged_as_a_source_and_each_key_as_it_is_listed_a_key_beyond_its_sources_failing_the_job_at_its_line()
    {
        using var master = new JobsHttp(host!.BaseUrl);
        // Prefixes of the stack's bucket only, no pattern covering the whole bucket.
        await TenantAdminTests.AssertStatusAsync(HttpStatusCode.OK, await master.SendAsync(TenantAdminTests.Put("api/tenants/team-m", new
        {
            allowSources = new[] { $"s3://{JobStack.Bucket}/{JobStack.PhotosPrefix}*", $"s3://{JobStack.Bucket}/manifests-m/*" },
            allowOutputs = new[] { $"s3://{JobStack.Bucket}/results-m/*" },
        })));
        using var m = new JobsHttp(host.BaseUrl, (await TenantAdminTests.CreateKeyAsync(master, "team-m", "submitter")).Secret);
        var photos = Directory.GetFiles(Serverless.TestSupport.RepoPaths.ImagenetSample200).Order().Take(2).Select(f => JobStack.PhotosPrefix + Path.GetFileName(f)).ToArray();
        var (first, second) = (photos[0], photos[1]);
        var manifests = Serverless.Storage.ResultStoreFactory.Create($"s3://{JobStack.Bucket}", stack.Connections);
        var run = Guid.NewGuid().ToString("N")[..6];
        async Task<string> ManifestAsync(string folder, string name, string keys)
        {
            await manifests.WriteAsync($"{folder}/{run}-{name}.csv", System.Text.Encoding.UTF8.GetBytes($"key\n{keys}\n"), CancellationToken.None);
            return $"s3://{JobStack.Bucket}/{folder}/{run}-{name}.csv";
        }
        async Task<string> FailureAsync(string manifest)
        {
            var id = await m.SubmitAsync(new { manifest, model = stack.DominantColor, output = $"s3://{JobStack.Bucket}/results-m/{run}-{Guid.NewGuid():N}" });
            var failed = await m.WaitAsync(id, TimeSpan.FromMinutes(3), () => host.OutputTail);
            Assert.Equal("Failed", failed.GetProperty("runtimeStatus").GetString());
            return failed.GetProperty("failureDetails").GetProperty("errorMessage").GetString()!;
        }

        // A plain key and a full location, both under the tenant's photos prefix: read.
        var own = await m.SubmitAsync(new { manifest = await ManifestAsync("manifests-m", "own", $"{first}\ns3://{JobStack.Bucket}/{second}"), model = stack.DominantColor, output = $"s3://{JobStack.Bucket}/results-m/{run}-own" });
        var done = await m.WaitAsync(own, TimeSpan.FromMinutes(3), () => host.OutputTail);
        Assert.Equal("Completed", done.GetProperty("runtimeStatus").GetString());
        Assert.Equal((2, 0), (done.GetProperty("output").GetProperty("images").GetInt64(), done.GetProperty("output").GetProperty("failed").GetInt64()));

        // Line 3 names another bucket of the same store, or another prefix of the manifest's bucket: the job fails there, before reading it.
        var otherBucket = await FailureAsync(await ManifestAsync("manifests-m", "bucket", $"{first}\ns3://{Missing}/team-b/x.png"));
        Assert.Contains($"{run}-bucket.csv, line 3, names s3://{Missing}/team-b/x.png, which the job may not read", otherBucket);
        Assert.Contains("allowSources", otherBucket);
        var otherPrefix = await FailureAsync(await ManifestAsync("manifests-m", "prefix", $"{first}\nteam-b/x.png"));
        Assert.Contains($"{run}-prefix.csv, line 3, names s3://{JobStack.Bucket}/team-b/x.png, which the job may not read", otherPrefix);

        // A manifest outside the tenant's sources is refused before it is read.
        await AssertRefusedAsync(await m.PostJsonAsync("api/jobs", new { manifest = await ManifestAsync("elsewhere-m", "outside", first), model = stack.DominantColor, output = $"s3://{JobStack.Bucket}/results-m/{run}-x" }), "allowSources");
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string rule)
    {
        var body = await TenantAdminTests.AssertStatusAsync(HttpStatusCode.Forbidden, response);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(rule, body, StringComparison.Ordinal);
    }
}
