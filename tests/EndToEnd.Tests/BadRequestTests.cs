using System.Net;
using System.Text.Json;
using Serverless.EndToEnd.Tests.Support;

namespace Serverless.EndToEnd.Tests;

/// <summary>A malformed or impossible job request gets a 400 problem-details answer naming the field, never a 500.</summary>
[Collection(JobStackCollection.Name)]
public sealed class BadRequestTests(JobStack stack) : IAsyncLifetime
{
    private HostProcess? host;

    public async Task InitializeAsync() => host = await HostProcess.StartAsync("api", stack.HostEnvironment("BadRequests"));

    public async Task DisposeAsync() => await host!.DisposeAsync();

    [Theory]
    [InlineData("""{"source": "s3://photos/imagenet/", "model": "MODEL", "batchSize": 0}""", "batchSize")]
    [InlineData("""{"source": "s3://no-such-bucket/x/", "model": "MODEL"}""", "source")]
    [InlineData("""{"source": "s3://photos/imagenet/", "model": "/nowhere/missing.onnx"}""", "model")]
    [InlineData("""{"source": "ftp://photos/imagenet/", "model": "MODEL"}""", "source")]
    [InlineData("""{"model": "MODEL"}""", "source")]
    [InlineData("""{"source": "s3://photos/imagenet/", "model": "MODEL", "batchSize": "many"}""", "batchSize")]
    [InlineData("""{"source": "s3://photos/imagenet/", "model": "MODEL",""", "body")]
    [InlineData("""not json at all""", "body")]
    [InlineData("""{"source": "s3://photos/imagenet/", "model": "MODEL", "format": "xml"}""", "format")]
    public async Task Bad_requests_are_400_with_the_field_named(string body, string field)
    {
        using var jobs = new JobsHttp(host!.BaseUrl);
        using var response = await jobs.PostRawAsync("api/jobs", body.Replace("MODEL", stack.DominantColor));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType?.ToString());
        var errors = JsonSerializer.Deserialize<JsonElement>(text).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"no error for '{field}' in {text}");
    }

    [Fact]
    public async Task Wrong_credentials_are_a_400_on_the_source()
    {
        // s3rver checks only that the access key is known; a wrong secret passes, an unknown key does not.
        var environment = stack.HostEnvironment("BadCredentials", new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "UNKNOWNKEY" });
        await using var wrongKeys = await HostProcess.StartAsync("api", environment);
        using var jobs = new JobsHttp(wrongKeys.BaseUrl);
        using var response = await jobs.PostJsonAsync("api/jobs", new { source = $"s3://{JobStack.Bucket}/{JobStack.PhotosPrefix}", model = stack.DominantColor });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Contains("source", text);
    }
}
