using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Serverless.App.Functions;
using Serverless.App.Security;
using Serverless.App.Tests.Support;
using Serverless.Jobs.Tenancy;
using Serverless.ModelZoo;

namespace Serverless.App.Tests;

/// <summary>
/// Tenants under the Functions app: each request goes through <see cref="TenantKeyMiddleware"/> as the
/// worker runs it (the ASP.NET Core integration's HttpContext in the invocation, the app's container as
/// its services), then the function; tenants and keys in the real <see cref="TenantStore"/> on Azurite.
/// </summary>
[Collection(AppHubCollection.Name)]
public sealed class TenantFunctionsTests(AppHub hub)
{
    [Fact]
    public async Task Two_tenants_keys_see_only_their_own_jobs_and_a_source_outside_the_patterns_is_403()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var admin = hub.Services.GetRequiredService<TenantAdministration>();
        string Folder(string name) => Directory.CreateDirectory(Path.Combine(hub.Root, $"{name}-{suffix}")).FullName;
        var (sourceA, sourceB) = (Folder("tenant-a"), Folder("tenant-b"));
        SyntheticImages.Write(sourceA, 2, seed: 41, minSize: 32, maxSize: 48);
        SyntheticImages.Write(sourceB, 2, seed: 43, minSize: 32, maxSize: 48);
        await admin.SetTenantAsync(new Tenant("fa-a-" + suffix, [sourceA + "/*"], [Path.Combine(hub.Root, "out-a") + "/*"], null), default);
        await admin.SetTenantAsync(new Tenant("fa-b-" + suffix, [sourceB + "/*"], [Path.Combine(hub.Root, "out-b") + "/*"], null), default);
        var keyA = (await admin.CreateKeyAsync("fa-a-" + suffix, TenantRole.Admin, DateTimeOffset.UtcNow, default))!.Value.Secret;
        var keyB = (await admin.CreateKeyAsync("fa-b-" + suffix, TenantRole.Admin, DateTimeOffset.UtcNow, default))!.Value.Secret;
        var readerA = (await admin.CreateKeyAsync("fa-a-" + suffix, TenantRole.Reader, DateTimeOffset.UtcNow, default))!.Value.Secret;

        var jobA = await SubmitAsync(keyA, new { source = sourceA, model = hub.DominantColor, output = Path.Combine(hub.Root, "out-a", suffix) });
        var jobB = await SubmitAsync(keyB, new { source = sourceB, model = hub.DominantColor, output = Path.Combine(hub.Root, "out-b", suffix) });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await hub.Client.WaitForInstanceCompletionAsync(jobA, cancellation: timeout.Token)).RuntimeStatus);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await hub.Client.WaitForInstanceCompletionAsync(jobB, cancellation: timeout.Token)).RuntimeStatus);

        // Lists: each tenant its own job; a request without a tenant key (a Functions key alone) neither.
        var (_, listA) = await ListAsync(keyA);
        Assert.Contains(jobA, listA, StringComparison.Ordinal);
        Assert.DoesNotContain(jobB, listA, StringComparison.Ordinal);
        var (_, listB) = await ListAsync(keyB);
        Assert.Contains(jobB, listB, StringComparison.Ordinal);
        Assert.DoesNotContain(jobA, listB, StringComparison.Ordinal);
        var (_, implicitList) = await ListAsync(null);
        Assert.DoesNotContain(jobA, implicitList, StringComparison.Ordinal);
        Assert.DoesNotContain(jobB, implicitList, StringComparison.Ordinal);

        // Another tenant's job answers as an unknown one.
        var functions = hub.Function<JobFunctions>();
        Assert.Equal(200, (await CallAsync(nameof(JobFunctions.GetJob), "GET", $"/api/jobs/{jobA}", keyA, http => functions.GetJob(http.Request, jobA, hub.Client, default))).Status);
        var (hidden, hiddenBody) = await CallAsync(nameof(JobFunctions.GetJob), "GET", $"/api/jobs/{jobB}", keyA, http => functions.GetJob(http.Request, jobB, hub.Client, default));
        Assert.Equal(404, hidden);
        Assert.DoesNotContain("fa-b-", hiddenBody, StringComparison.Ordinal);

        // A source outside the tenant's patterns: 403 naming the rule, before anything is read.
        var (refused, refusedBody) = await StartAsync(keyA, new { source = sourceB, model = hub.DominantColor, output = Path.Combine(hub.Root, "out-a", suffix + "x") });
        Assert.Equal(403, refused);
        Assert.Equal("allowSources", Json(refusedBody).GetProperty("rule").GetString());
        Assert.Equal("source", Json(refusedBody).GetProperty("field").GetString());

        // An unknown key is 401; a reader may not submit (403, as the self-host answers).
        Assert.Equal(401, (await ListAsync("not-a-tenant-key-" + suffix)).Status);
        var (readerSubmit, readerBody) = await StartAsync(readerA, new { source = sourceA, model = hub.DominantColor });
        Assert.Equal(403, readerSubmit);
        Assert.Contains("has the reader role", readerBody, StringComparison.Ordinal);

        // Admin routes: A's admin key on B's job is 404; without a tenant key only the Functions master key gets there: the platform admin.
        Assert.Equal(404, (await CallAsync(nameof(JobFunctions.PurgeJob), "DELETE", $"/api/jobs/{jobB}", keyA, http => functions.PurgeJob(http.Request, jobB, hub.Client, default))).Status);
        Assert.Equal(200, (await CallAsync(nameof(JobFunctions.PurgeJob), "DELETE", $"/api/jobs/{jobB}", null, http => functions.PurgeJob(http.Request, jobB, hub.Client, default))).Status);
        Assert.Equal(200, (await CallAsync(nameof(JobFunctions.PurgeJob), "DELETE", $"/api/jobs/{jobA}", keyA, http => functions.PurgeJob(http.Request, jobA, hub.Client, default))).Status);
    }

    [Fact]
    public async Task Classify_with_a_tenant_key_uses_only_the_tenants_models_folder_and_an_unknown_key_is_401()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var admin = hub.Services.GetRequiredService<TenantAdministration>();
        var name = "fa-c-" + suffix;
        await admin.SetTenantAsync(new Tenant(name, [Path.Combine(hub.Root, "c") + "/*"], [Path.Combine(hub.Root, "c-out") + "/*"], "team-models"), default);
        var key = (await admin.CreateKeyAsync(name, TenantRole.Submitter, DateTimeOffset.UtcNow, default))!.Value.Secret;
        var photo = await File.ReadAllBytesAsync(Directory.GetFiles(Serverless.TestSupport.RepoPaths.ImagenetSample200).Order(StringComparer.Ordinal).First());
        var classify = $"{typeof(ClassifyFunction).FullName}.{nameof(ClassifyFunction.Classify)}";
        Task<(int Status, string Body)> ClassifyAsync(string? with) =>
            CallAsync(classify, "POST", $"/api/classify?model={Uri.EscapeDataString(hub.MobileNet)}", with, http =>
            {
                http.Request.Body = new MemoryStream(photo);
                http.Request.ContentLength = photo.Length;
                http.Request.ContentType = "image/jpeg";
                return hub.Function<ClassifyFunction>().Classify(http.Request, default);
            });

        // The model lies in the models root, outside the tenant's folder: refused before the file is looked at.
        var (refused, body) = await ClassifyAsync(key);
        Assert.Equal(403, refused);
        Assert.Equal("modelsDir", Json(body).GetProperty("rule").GetString());
        Assert.Equal(401, (await ClassifyAsync("revoked-or-unknown-" + suffix)).Status);
        // A Functions key alone is the implicit tenant, held to no folder.
        Assert.Equal(200, (await ClassifyAsync(null)).Status);
    }

    [Theory]
    [InlineData(nameof(JobFunctions.TerminateJob), Microsoft.Azure.Functions.Worker.AuthorizationLevel.Admin)]
    [InlineData(nameof(JobFunctions.PurgeJob), Microsoft.Azure.Functions.Worker.AuthorizationLevel.Admin)]
    [InlineData(nameof(JobFunctions.GetJob), Microsoft.Azure.Functions.Worker.AuthorizationLevel.Function)]
    [InlineData(nameof(JobFunctions.StartJob), Microsoft.Azure.Functions.Worker.AuthorizationLevel.Function)]
    public void The_middleware_reads_each_functions_key_level_from_its_trigger(string function, Microsoft.Azure.Functions.Worker.AuthorizationLevel level) =>
        Assert.Equal(level, TenantKeyMiddleware.LevelOf($"{typeof(JobFunctions).FullName}.{function}"));

    private async Task<string> SubmitAsync(string key, object body)
    {
        var (status, text) = await StartAsync(key, body);
        Assert.True(status == 202, text);
        return Json(text).GetProperty("id").GetString()!;
    }

    private Task<(int Status, string Body)> StartAsync(string key, object body) =>
        CallAsync(nameof(JobFunctions.StartJob), "POST", "/api/jobs", key, async (_, context) =>
            await hub.Function<JobFunctions>().StartJob(new TestHttpRequestData(context, "POST", new Uri("http://localhost:7071/api/jobs"), JsonSerializer.Serialize(body)), hub.Client, default) as object);

    private Task<(int Status, string Body)> ListAsync(string? key) =>
        CallAsync(nameof(JobFunctions.ListJobs), "GET", "/api/jobs?top=1000", key, http => hub.Function<JobFunctions>().ListJobs(http.Request, hub.Client, default));

    private Task<(int Status, string Body)> CallAsync(string function, string method, string pathAndQuery, string? key, Func<HttpContext, Task<IResult>> invoke) =>
        CallAsync(function, method, pathAndQuery, key, async (http, _) => (object)await invoke(http));

    /// <summary>One invocation as the worker runs it: the middleware, then the function; its answer read back.</summary>
    private async Task<(int Status, string Body)> CallAsync(string function, string method, string pathAndQuery, string? key, Func<HttpContext, TestFunctionContext, Task<object>> invoke)
    {
        var uri = new Uri("http://localhost:7071" + pathAndQuery);
        var http = new DefaultHttpContext { RequestServices = hub.Services };
        http.Request.Method = method;
        http.Request.Scheme = uri.Scheme;
        http.Request.Host = new HostString(uri.Authority);
        http.Request.Path = uri.AbsolutePath;
        http.Request.QueryString = new QueryString(uri.Query);
        if (key is not null)
            http.Request.Headers[TenantKeys.HeaderName] = key;
        http.Response.Body = new MemoryStream();
        var entryPoint = function.Contains('.', StringComparison.Ordinal) ? function : $"{typeof(JobFunctions).FullName}.{function}";
        var context = new TestFunctionContext(hub.Services, new TestFunctionDefinition(entryPoint));
        // Where the ASP.NET Core integration puts the request's HttpContext for the invocation.
        context.Items["HttpRequestContext"] = http;
        object? result = null;
        await new TenantKeyMiddleware().Invoke(context, async c => result = await invoke(http, context));
        if (result is TestHttpResponseData data)
            return ((int)data.StatusCode, data.ReadBody());
        if (result is IResult answer)
            await answer.ExecuteAsync(http);
        return (http.Response.StatusCode, Encoding.UTF8.GetString(((MemoryStream)http.Response.Body).ToArray()));
    }

    private static JsonElement Json(string text) => JsonSerializer.Deserialize<JsonElement>(text);
}
