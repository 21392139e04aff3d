using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Serverless.Api;
using Serverless.Host.Hosting;
using Serverless.Host.Security;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// The one set of instance handlers is mapped under both route families with one key rule: reads
/// with the jobs' key (a function key by default), every change with the master key. The app is
/// built, not started: no storage is touched.
/// </summary>
public sealed class InstanceRoutesTests
{
    [Theory]
    [InlineData(null, AuthLevel.Function)]
    [InlineData("anonymous", AuthLevel.Anonymous)]
    public async Task Both_families_map_every_route_reads_with_the_jobs_key_and_changes_with_the_master_key(string? jobsLevel, AuthLevel reads)
    {
        await using var app = HostApp.Build(HostRole.Api, $"http://127.0.0.1:{FreePort.Next()}", customization: new HostCustomization(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["http:authLevels:jobs"] = jobsLevel,
        }));
        var mapped = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => (Method: method, Pattern: e.RoutePattern.RawText!.Trim('/'), Level: e.Metadata.GetOrderedMetadata<AuthLevelMetadata>().Select(m => m.Level).DefaultIfEmpty(AuthLevel.Function).Max())))
            .ToList();

        Assert.Equal(20, InstanceApi.Routes.Count);
        foreach (var family in new[] { "api/jobs", "runtime/webhooks/durabletask/instances" })
        {
            foreach (var (method, suffix, changes) in new[] { ("GET", "", false), ("GET", "/{id}", false), ("POST", "/{id}/terminate", true), ("POST", "/{id}/raiseEvent/{eventName}", true),
                         ("POST", "/{id}/suspend", true), ("POST", "/{id}/resume", true), ("POST", "/{id}/rewind", true), ("DELETE", "/{id}", true), ("DELETE", "", true) })
                Assert.Contains((method, family + suffix, changes ? AuthLevel.Admin : reads), mapped);
        }
        // Submitting a job is not a change of an instance: the jobs' key. Durable Functions' own start needs its system key, the master key.
        Assert.Contains(("POST", "api/jobs", reads), mapped);
        Assert.Contains(("POST", "runtime/webhooks/durabletask/orchestrators/{name}", AuthLevel.Admin), mapped);
        Assert.Contains(("POST", "runtime/webhooks/durabletask/orchestrators/{name}/{instanceId}", AuthLevel.Admin), mapped);
    }
}
