using System.Net;
using System.Net.Http.Json;
using Serverless.EndToEnd.Tests.Support;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// X-Forwarded-Host/-Proto are trusted only from the configured proxies or networks: a host told
/// that its ingress is 10.0.0.0/8 ignores them from a client on loopback, and the management URLs
/// it hands out stay its own (loopback is trusted by default: DurableFunctionsCompatibilityTests).
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class ForwardedHeadersTests(JobStack stack) : IAsyncLifetime
{
    private HostProcess? host;

    public async Task InitializeAsync() => host = await HostProcess.StartAsync("api", stack.HostEnvironment("Forwarded",
        new Dictionary<string, string> { ["http__forwardedHeaders__knownNetworks"] = "10.0.0.0/8" }));

    public async Task DisposeAsync() => await host!.DisposeAsync();

    [Fact]
    public async Task Forwarded_headers_from_a_client_outside_the_configured_networks_are_ignored()
    {
        using var jobs = new JobsHttp(host!.BaseUrl);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/jobs?code={JobStack.FunctionKey}")
        {
            Content = JsonContent.Create(new { source = $"s3://{JobStack.Bucket}/{JobStack.PhotosPrefix}", model = stack.DominantColor }),
        };
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "evil.example");
        using var response = await jobs.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.StartsWith(host.BaseUrl + "api/jobs/", response.Headers.Location!.ToString());
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("evil.example", body);
    }
}
