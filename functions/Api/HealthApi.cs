using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Serverless.Api;

/// <summary><c>/healthz</c>, on in every role and environment (Kubernetes probes it); <paramref name="role"/> is what the process runs.</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app, string role)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok", role }));
        return app;
    }
}
