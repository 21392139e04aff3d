using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Serverless.Host.Dashboard;
using Serverless.Host.Hosting;
using Serverless.Host.Security;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests.Dashboard;

/// <summary>
/// <see cref="DashboardRoutes.All"/> is the one list of the routes the dashboard and the metrics
/// add (the hardening issue's request fuzz test walks it): the host maps exactly these, with the
/// key each says. The app is built, not started: no storage is touched.
/// </summary>
public sealed class DashboardRoutesTests
{
    [Theory]
    [InlineData(HostRole.Api)]
    [InlineData(HostRole.All)]
    [InlineData(HostRole.Worker)]
    public async Task The_host_maps_the_listed_routes_with_their_keys(HostRole role)
    {
        await using var app = HostApp.Build(role, $"http://127.0.0.1:{FreePort.Next()}", customization: new HostCustomization(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        }));
        var mapped = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => (Method: method, Pattern: e.RoutePattern.RawText!.Trim('/'), Level: e.Metadata.GetOrderedMetadata<AuthLevelMetadata>().Select(m => m.Level).DefaultIfEmpty(AuthLevel.Function).Max())))
            .ToList();

        var expected = DashboardRoutes.All.Where(r => role != HostRole.Worker || r.Pattern == Serverless.Host.Telemetry.MetricsEndpoint.Pattern).ToList();
        foreach (var route in expected)
            Assert.Contains((route.Method, route.Pattern, route.Level), mapped);
        // Nothing else under the dashboard's prefixes.
        var ours = mapped.Where(m => m.Pattern.StartsWith("dashboard", StringComparison.Ordinal) || m.Pattern.StartsWith("api/dashboard", StringComparison.Ordinal) || m.Pattern == Serverless.Host.Telemetry.MetricsEndpoint.Pattern);
        Assert.Equal(expected.Select(r => (r.Method, r.Pattern, r.Level)).Order(), ours.Order());
        Assert.All(expected.Where(r => r.Pattern.StartsWith("api/", StringComparison.Ordinal) || r.Pattern == Serverless.Host.Telemetry.MetricsEndpoint.Pattern), r => Assert.Equal(AuthLevel.Function, r.Level));
    }
}
