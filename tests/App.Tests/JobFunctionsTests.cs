using System.Net;
using System.Text.Json;
using Microsoft.DurableTask.Client;
using Serverless.App.Functions;
using Serverless.App.Tests.Support;
using Serverless.ModelZoo;

namespace Serverless.App.Tests;

/// <summary>The api/jobs functions, called directly with the self-host's DTFx client; a self-host worker on the same hub runs the jobs.</summary>
[Collection(AppHubCollection.Name)]
public sealed class JobFunctionsTests(AppHub hub)
{
    [Fact]
    public async Task StartJob_answers_with_the_runtime_management_urls_and_the_job_runs_on_a_self_host_worker()
    {
        var source = Directory.CreateDirectory(Path.Combine(hub.Root, "start")).FullName;
        SyntheticImages.Write(source, 12, seed: 31, minSize: 32, maxSize: 48);
        var body = JsonSerializer.Serialize(new { source, model = hub.DominantColor, batchSize = 4, output = Path.Combine(hub.Root, "out-start") });

        var response = (TestHttpResponseData)await hub.Function<JobFunctions>().StartJob(Post("/api/jobs", body), hub.Client, default);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var payload = JsonSerializer.Deserialize<JsonElement>(response.ReadBody());
        var id = payload.GetProperty("id").GetString()!;
        var status = $"http://localhost:7071/runtime/webhooks/durabletask/instances/{id}";
        Assert.Equal(status, Assert.Single(response.Headers.GetValues("Location")));
        Assert.Equal(status, payload.GetProperty("statusQueryGetUri").GetString());
        Assert.Equal($"{status}/terminate?reason={{text}}", payload.GetProperty("terminatePostUri").GetString());
        Assert.Equal($"{status}/raiseEvent/{{eventName}}", payload.GetProperty("sendEventPostUri").GetString());
        Assert.Equal(status, payload.GetProperty("purgeHistoryDeleteUri").GetString());

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var done = await hub.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);

        var (code, _, shown) = await IResults.RunAsync(await hub.Function<JobFunctions>().GetJob(IResults.Request("GET", $"/api/jobs/{id}"), id, hub.Client, default));
        Assert.Equal(200, code);
        Assert.Equal(12, shown.GetProperty("output").GetProperty("images").GetInt64());
        var (listed, _, list) = await IResults.RunAsync(await hub.Function<JobFunctions>().ListJobs(IResults.Request("GET", "/api/jobs?status=Completed"), hub.Client, default));
        Assert.Equal(200, listed);
        Assert.Contains(list.GetProperty("jobs").EnumerateArray(), j => j.GetProperty("instanceId").GetString() == id);
    }

    [Theory]
    [InlineData("""{"source": 5, "model": "m.onnx"}""", "source")]
    [InlineData("""{"source": "s3://bucket/images"}""", "model")]
    [InlineData("""{"source": "s3://bucket/images", "model": "m.onnx", "batchSize": 0}""", "batchSize")]
    [InlineData("not json", "body")]
    public async Task StartJob_refuses_a_bad_body_with_problem_details_naming_the_field(string body, string field)
    {
        var response = (TestHttpResponseData)await hub.Function<JobFunctions>().StartJob(Post("/api/jobs", body), hub.Client, default);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", Assert.Single(response.Headers.GetValues("Content-Type")));
        var problem = JsonSerializer.Deserialize<JsonElement>(response.ReadBody());
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), response.ReadBody());
    }

    [Fact]
    public async Task Terminate_and_purge_answer_as_the_self_host_does()
    {
        var functions = hub.Function<JobFunctions>();
        var (unknown, _, _) = await IResults.RunAsync(await functions.PurgeJob(IResults.Request("DELETE", "/api/jobs/nope"), "nope", hub.Client, default));
        Assert.Equal(404, unknown);

        var source = Directory.CreateDirectory(Path.Combine(hub.Root, "ended")).FullName;
        SyntheticImages.Write(source, 2, seed: 37, minSize: 32, maxSize: 48);
        var started = (TestHttpResponseData)await functions.StartJob(Post("/api/jobs", JsonSerializer.Serialize(new { source, model = hub.DominantColor })), hub.Client, default);
        var id = JsonSerializer.Deserialize<JsonElement>(started.ReadBody()).GetProperty("id").GetString()!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await hub.Client.WaitForInstanceCompletionAsync(id, cancellation: timeout.Token);

        // Rerun and results over the shared handlers: a job without failures has nothing to rerun; its rows come as JSON Lines.
        var (rerunUnknown, _, _) = await IResults.RunAsync(await functions.RerunJob(IResults.Request("POST", "/api/jobs/nope/rerun", """{"failed":true}"""u8.ToArray(), "application/json"), "nope", hub.Client, default));
        var (rerun, _, refused) = await IResults.RunAsync(await functions.RerunJob(IResults.Request("POST", $"/api/jobs/{id}/rerun", """{"failed":true}"""u8.ToArray(), "application/json"), id, hub.Client, default));
        Assert.Equal((404, 400), (rerunUnknown, rerun));
        Assert.Contains("has no failed images", refused.GetProperty("detail").GetString());
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = hub.Services };
        context.Response.Body = new MemoryStream();
        await (await functions.JobResults(IResults.Request("GET", $"/api/jobs/{id}/results?merged=true"), id, hub.Client, default)).ExecuteAsync(context);
        var lines = System.Text.Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);

        var (terminate, _, _) = await IResults.RunAsync(await functions.TerminateJob(IResults.Request("POST", $"/api/jobs/{id}/terminate"), id, hub.Client, default));
        var (purge, _, purged) = await IResults.RunAsync(await functions.PurgeJob(IResults.Request("DELETE", $"/api/jobs/{id}"), id, hub.Client, default));
        var (after, _, _) = await IResults.RunAsync(await functions.GetJob(IResults.Request("GET", $"/api/jobs/{id}"), id, hub.Client, default));

        Assert.Equal(410, terminate);
        Assert.Equal(200, purge);
        Assert.True(purged.GetProperty("instancesDeleted").GetInt32() >= 2);
        Assert.Equal(404, after);
    }

    private TestHttpRequestData Post(string path, string body) =>
        new(new TestFunctionContext(hub.Services), "POST", new Uri("http://localhost:7071" + path), body);
}
