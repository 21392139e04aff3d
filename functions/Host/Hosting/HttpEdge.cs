using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Host.Security;

namespace Serverless.Host.Hosting;

/// <summary>
/// What sits between the network and the routes: the scheme and host an ingress forwards
/// (<c>X-Forwarded-Proto</c>, <c>X-Forwarded-Host</c>), so the management URLs a job gets are the
/// ones its caller can reach; and CORS, off unless <c>http:cors:allowedOrigins</c> names the
/// origins a browser client may call from (none by default: a page elsewhere cannot use the API).
/// </summary>
internal static class HttpEdge
{
    public const string CorsOrigins = "http:cors:allowedOrigins";
    private const string CorsPolicy = "configured-origins";

    public static IServiceCollection AddHttpEdge(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            // The ingress in front of a pod is not on loopback; these headers only change the URLs we hand out.
            options.KnownIPNetworks.Clear();
            options.KnownProxies.Clear();
        });
        var origins = Origins(configuration);
        if (origins.Length > 0)
            services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy.WithOrigins(origins)
                .WithMethods("GET", "POST", "DELETE").WithHeaders(KeyAuthorizationMiddleware.HeaderName, "content-type")
                .WithExposedHeaders("Location", "Retry-After")));
        return services;
    }

    /// <summary>After routing, before the key check: a CORS preflight carries no key.</summary>
    public static WebApplication UseConfiguredCors(this WebApplication app, IConfiguration configuration)
    {
        if (Origins(configuration).Length > 0)
            app.UseCors(CorsPolicy);
        return app;
    }

    private static string[] Origins(IConfiguration configuration) =>
        configuration.GetSection(CorsOrigins).GetChildren().Select(c => c.Value).OfType<string>()
            .Concat((configuration[CorsOrigins] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(o => o.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
}
