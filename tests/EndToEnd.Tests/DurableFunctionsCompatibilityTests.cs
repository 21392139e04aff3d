using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Serverless.EndToEnd.Tests.Support;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// Clients written for Durable Functions work with `serverless host` unchanged: a poller that only
/// follows Location, the runtime/webhooks/durabletask routes and their status codes, the URLs behind
/// an ingress; and CORS stays off unless configured.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class DurableFunctionsCompatibilityTests(JobStack stack) : IAsyncLifetime
{
    private const string Webhooks = "runtime/webhooks/durabletask/instances";
    private HostProcess? host;

    public async Task InitializeAsync() => host = await HostProcess.StartAsync("all", stack.HostEnvironment("DfCompat",
        new Dictionary<string, string> { ["http__cors__allowedOrigins"] = "https://app.example" }));

    public async Task DisposeAsync() => await host!.DisposeAsync();

    [Fact]
    public async Task A_poller_that_follows_Location_with_the_key_it_was_given_reaches_the_result()
    {
        await stack.UploadSyntheticImagesAsync("df-poller/", 40, seed: 59);
        // As a Durable Functions client does it: the key in ?code=, no header, then only Location.
        using var http = new HttpClient { BaseAddress = host!.BaseUrl };
        using var started = await http.PostAsJsonAsync($"api/jobs?code={JobStack.FunctionKey}",
            new { source = $"s3://{JobStack.Bucket}/df-poller/", model = stack.DominantColor, batchSize = 4 });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var body = await started.Content.ReadFromJsonAsync<JsonElement>();
        Assert.All(new[] { "statusQueryGetUri", "sendEventPostUri", "terminatePostUri", "purgeHistoryDeleteUri" },
            url => Assert.Contains($"code={JobStack.FunctionKey}", body.GetProperty(url).GetString()));

        var location = started.Headers.Location!;
        var polls = 0;
        HttpResponseMessage response;
        while ((response = await http.GetAsync(location)).StatusCode == HttpStatusCode.Accepted)
        {
            var wait = response.Headers.RetryAfter?.Delta ?? throw new Xunit.Sdk.XunitException("a 202 without Retry-After");
            location = response.Headers.Location ?? location;
            response.Dispose();
            Assert.True(++polls < 120, "the job did not end");
            await Task.Delay(wait / 4);
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(40, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("output").GetProperty("images").GetInt64());
        response.Dispose();
    }

    [Fact]
    public async Task The_runtime_webhooks_routes_answer_as_Durable_Functions_does()
    {
        await stack.UploadSyntheticImagesAsync("df-routes/", 400, seed: 61);
        using var jobs = new JobsHttp(host!.BaseUrl);
        var id = await jobs.SubmitAsync(new { source = $"s3://{JobStack.Bucket}/df-routes/", model = stack.DominantColor, batchSize = 1 });
        await WorkerCrashTests.WaitForProgressAsync(jobs, id, atLeast: 1, () => host.OutputTail);

        using (var running = await jobs.GetAsync($"{Webhooks}/{id}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, running.StatusCode);
            Assert.NotNull(running.Headers.RetryAfter);
            Assert.EndsWith($"{Webhooks}/{id}", running.Headers.Location!.ToString());
            // showInput defaults to true here, as in Durable Functions.
            Assert.Equal(JsonValueKind.Object, (await running.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("input").ValueKind);
        }
        using (var badEvent = await jobs.PostRawAsync($"{Webhooks}/{id}/raiseEvent/ping", "not json"))
            Assert.Equal(HttpStatusCode.BadRequest, badEvent.StatusCode);
        using (var suspend = await jobs.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"{Webhooks}/{id}/suspend?reason=test")))
            Assert.Equal(HttpStatusCode.Accepted, suspend.StatusCode);
        await WaitForStatusAsync(jobs, id, "Suspended");
        using (var resume = await jobs.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"{Webhooks}/{id}/resume")))
            Assert.Equal(HttpStatusCode.Accepted, resume.StatusCode);
        using (var terminate = await jobs.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"{Webhooks}/{id}/terminate?reason=enough")))
            Assert.Equal(HttpStatusCode.Accepted, terminate.StatusCode);
        await WaitForStatusAsync(jobs, id, "Terminated");

        using (var again = await jobs.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"{Webhooks}/{id}/terminate")))
            Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
        using (var late = await jobs.PostRawAsync($"{Webhooks}/{id}/raiseEvent/ping", "{}"))
            Assert.Equal(HttpStatusCode.Gone, late.StatusCode);
        using (var ended = await jobs.GetAsync($"{Webhooks}/{id}?showHistory=true&showInput=false"))
        {
            Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
            var status = await ended.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(JsonValueKind.Null, status.GetProperty("input").ValueKind);
            Assert.Contains(status.GetProperty("historyEvents").EnumerateArray(), e => e.GetProperty("EventType").GetString() == "ExecutionStarted");
        }

        // The list pages with the x-ms-continuation-token header, and filters on runtimeStatus.
        var seen = new List<string>();
        string? token = null;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{Webhooks}?runtimeStatus=Terminated&top=2");
            if (token is not null)
                request.Headers.Add("x-ms-continuation-token", token);
            using var page = await jobs.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            var items = await page.Content.ReadFromJsonAsync<JsonElement>();
            Assert.All(items.EnumerateArray(), i => Assert.Equal("Terminated", i.GetProperty("runtimeStatus").GetString()));
            seen.AddRange(items.EnumerateArray().Select(i => i.GetProperty("instanceId").GetString()!));
            token = page.Headers.TryGetValues("x-ms-continuation-token", out var values) ? values.First() : null;
        }
        while (token is not null && seen.Count < 100);
        Assert.Contains(id, seen);

        using (var purge = await jobs.DeleteAsync($"{Webhooks}/{id}"))
            Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        using (var gone = await jobs.GetAsync($"{Webhooks}/{id}"))
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Behind_an_ingress_the_management_urls_are_the_forwarded_ones()
    {
        using var jobs = new JobsHttp(host!.BaseUrl);
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/jobs")
        {
            Content = JsonContent.Create(new { source = $"s3://{JobStack.Bucket}/{JobStack.PhotosPrefix}", model = stack.DominantColor }),
        };
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "jobs.example.com");
        using var response = await jobs.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.StartsWith("https://jobs.example.com/api/jobs/", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Cors_answers_only_the_configured_origin()
    {
        using var http = new HttpClient { BaseAddress = host!.BaseUrl };
        foreach (var (origin, allowed) in new[] { ("https://app.example", true), ("https://elsewhere.example", false) })
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "api/jobs");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            preflight.Headers.Add("Access-Control-Request-Headers", "x-functions-key");
            using var response = await http.SendAsync(preflight);
            Assert.Equal(allowed, response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) && values.Contains(origin));
        }
    }

    private static async Task WaitForStatusAsync(JobsHttp jobs, string id, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await jobs.GetAsync($"{Webhooks}/{id}");
            if ((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runtimeStatus").GetString() == status)
                return;
            await Task.Delay(200);
        }
        throw new TimeoutException($"{id} never became {status}");
    }
}
