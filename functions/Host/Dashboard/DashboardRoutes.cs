using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Serverless.Api;
using Serverless.Host.Security;
using Serverless.Host.Telemetry;

namespace Serverless.Host.Dashboard;

/// <summary>
/// Every route the dashboard and the metrics add to `serverless host`, in one list: the page
/// shell (no key: it holds no data), the dashboard's data (a key, like every route that returns
/// data) and <c>/metrics</c> (a key; Prometheus sends it as <c>Authorization: Bearer</c>). The
/// request fuzz test of the hardening issue walks this list; a test checks the host maps exactly it.
/// </summary>
public static class DashboardRoutes
{
    /// <summary>A route: its method, pattern and the key it needs.</summary>
    public sealed record Route(string Method, string Pattern, AuthLevel Level);

    public static IReadOnlyList<Route> All { get; } =
    [
        new(HttpMethods.Get, "dashboard", AuthLevel.Anonymous),
        new(HttpMethods.Get, "dashboard/{file}", AuthLevel.Anonymous),
        .. DashboardApi.Routes.Select(r => new Route(r.Method, r.Pattern, AuthLevel.Function)),
        new(HttpMethods.Get, MetricsEndpoint.Pattern, AuthLevel.Function),
    ];

    /// <summary>The page shell and its data routes (API role).</summary>
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        var shell = app.MapGroup("dashboard").RequireAuthLevel(AuthLevel.Anonymous);
        shell.MapGet("", (HttpContext context) => DashboardAssets.Serve("index.html", context));
        shell.MapGet("{file}", (string file, HttpContext context) => DashboardAssets.Serve(file, context));
        app.MapDashboardApi().RequireAuthLevel(AuthLevel.Function);
        return app;
    }
}
