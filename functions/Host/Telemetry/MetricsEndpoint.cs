using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Serverless.Host.Security;

namespace Serverless.Host.Telemetry;

/// <summary>
/// <c>/metrics</c>: the Prometheus scrape endpoint, in every role (workers hold the batch and
/// inference metrics), behind a function key like every route that returns data; a Prometheus
/// scrape sends it with its <c>authorization</c> setting, as <c>Authorization: Bearer</c>. Host keys
/// only: a tenant's key is refused, the metrics being the whole host's.
/// </summary>
public static class MetricsEndpoint
{
    public const string Pattern = "metrics";

    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        // The metrics are per process, not per job: no tenant's share can be cut out, so tenant keys are refused.
        app.MapPrometheusScrapingEndpoint("/" + Pattern).RequireAuthLevel(AuthLevel.Function).RefuseTenantKeys();
        return app;
    }
}
