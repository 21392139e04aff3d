using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Serverless.Host.Hosting;

namespace Serverless.Host.Apis;

/// <summary><c>/healthz</c>, on in every role and environment (Kubernetes probes it).</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app, HostRole role)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok", role = role.ToString().ToLowerInvariant() }));
        return app;
    }
}
