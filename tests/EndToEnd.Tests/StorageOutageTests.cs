using Microsoft.Extensions.Configuration;
using System.Net;
using System.Text.Json;
using Serverless.EndToEnd.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests;

/// <summary>The task hub's storage goes away under a running api: requests get 503 problem details saying so, not 500s.</summary>
[Collection(JobStackCollection.Name)]
public sealed class StorageOutageTests(JobStack stack)
{
    [Fact]
    public async Task Requests_during_a_storage_outage_are_503_problem_details()
    {
        using var data = new TempDir("outage");
        var azurite = await AzuriteProcess.StartAsync(data.Path);
        var environment = stack.HostEnvironment("Outage", new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["AZURE_STORAGE_CONNECTION_STRING"] = azurite.ConnectionString,
        });
        await using var api = await HostProcess.StartAsync("api", environment);
        await azurite.DisposeAsync();

        using var http = new HttpClient { BaseAddress = api.BaseUrl, Timeout = TimeSpan.FromMinutes(2) };
        // One route is enough: each waits out the storage clients' retries (tens of seconds).
        foreach (var path in new[] { "api/jobs/some-job" })
        {
            using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "x-functions-key", JobStack.MasterKey } } });
            var text = await response.Content.ReadAsStringAsync();

            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{path}: {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(503, JsonSerializer.Deserialize<JsonElement>(text).GetProperty("status").GetInt32());
            // No exception text, stack trace or host path in the answer.
            Assert.DoesNotContain("   at ", text);
            Assert.DoesNotContain("Exception", text);
            Assert.DoesNotContain(data.Path, text);
        }
    }

    [Fact]
    public async Task A_key_load_that_cannot_reach_the_storage_is_a_503()
    {
        // Nothing listens on this port: the keys blob cannot be read, as when the account is down.
        var unreachable = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteProcess.AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{FreePort.Next()}/devstoreaccount1;";
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = unreachable }).Build();
        var keys = new Serverless.Host.Security.HostKeyProvider(configuration, Microsoft.Extensions.Logging.Abstractions.NullLogger<Serverless.Host.Security.HostKeyProvider>.Instance);

        var failure = await Assert.ThrowsAnyAsync<Exception>(async () => await keys.GetAsync(default));

        Assert.Equal(503, Serverless.Host.Hosting.OutageStatus.For(failure));
        Assert.Equal(500, Serverless.Host.Hosting.OutageStatus.For(new InvalidOperationException("a bug")));
    }
}
