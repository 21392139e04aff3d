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
    [InlineData("""{"source": "s3://photos/imagenet/\u0000x", "model": "MODEL"}""", "source")]
    [InlineData("""{"source": "s3://photos/imagenet/", "model": "MODEL", "output": "/tmp/out\u0000"}""", "output")]
    [InlineData("""{"source": "s3://photos/a/../../other/", "model": "MODEL"}""", "source")]
    [InlineData("""{"source": "s3://photos/imagenet/", "model": "MODEL", "output": "azblob://results/x/./y"}""", "output")]
    [InlineData("""{"source": "s3://photos/imagenet/", "model": "MODEL\u0000"}""", "model")]
    [InlineData("""{"source": "/etc", "model": "MODEL"}""", "source")]
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
    public async Task A_model_outside_the_models_root_is_refused_alike_whether_or_not_it_exists()
    {
        using var jobs = new JobsHttp(host!.BaseUrl);
        var existing = await ModelErrorAsync(jobs, "/etc/hostname");
        var missing = await ModelErrorAsync(jobs, "/etc/no-such-file-here");
        var escaping = await ModelErrorAsync(jobs, "models/../../../etc/hostname");

        Assert.Equal(existing.Replace("/etc/hostname", "NAME"), missing.Replace("/etc/no-such-file-here", "NAME"));
        Assert.Contains("not inside the models root", existing);
        Assert.Contains("not inside the models root", escaping);
        // Inside the root, a name that is not there says so, naming it as given, not by its path on the host.
        var absent = await ModelErrorAsync(jobs, "models/absent.onnx");
        Assert.Contains("there is no model 'models/absent.onnx' in the models root", absent);
        Assert.DoesNotContain(stack.Folder, absent);
    }

    [Fact]
    public async Task A_model_named_relative_to_the_models_root_is_stored_as_named_not_by_the_hosts_path()
    {
        using var jobs = new JobsHttp(host!.BaseUrl);
        var id = await jobs.SubmitAsync(new { source = $"s3://{JobStack.Bucket}/{JobStack.PhotosPrefix}", model = "models/dominant-color.onnx", id = "relative-model-" + Guid.NewGuid().ToString("N")[..6] });
        using var response = await jobs.GetAsync($"api/jobs/{id}?showInput=true");
        var input = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync()).GetProperty("input");
        Assert.Equal("models/dominant-color.onnx", input.GetProperty("spec").GetProperty("model").GetString());
    }

    private async Task<string> ModelErrorAsync(JobsHttp jobs, string model)
    {
        using var response = await jobs.PostJsonAsync("api/jobs", new { source = $"s3://{JobStack.Bucket}/{JobStack.PhotosPrefix}", model });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<JsonElement>(text).GetProperty("errors").GetProperty("model")[0].GetString()!;
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
