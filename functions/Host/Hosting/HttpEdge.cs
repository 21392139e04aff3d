using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Host.Security;

namespace Serverless.Host.Hosting;

/// <summary>
/// What sits between the network and the routes: the scheme and host an ingress forwards
/// (<c>X-Forwarded-Proto</c>, <c>X-Forwarded-Host</c>), so the management URLs a job gets are the
/// ones its caller can reach, taken only from the proxies and networks configured in
/// <c>http:forwardedHeaders:knownProxies</c> / <c>knownNetworks</c> (default: loopback only; from
/// anyone else they are ignored, or any client could point the URLs it is given, with its key, at
/// a host of its choosing); and CORS, off unless <c>http:cors:allowedOrigins</c> names the
/// origins a browser client may call from (none by default: a page elsewhere cannot use the API).
/// </summary>
internal static class HttpEdge
{
    public const string CorsOrigins = "http:cors:allowedOrigins";
    public const string KnownProxies = "http:forwardedHeaders:knownProxies";
    public const string KnownNetworks = "http:forwardedHeaders:knownNetworks";
    private const string CorsPolicy = "configured-origins";

    public static IServiceCollection AddHttpEdge(this IServiceCollection services, IConfiguration configuration)
    {
        var proxies = List(configuration, KnownProxies).Select(p => IPAddress.TryParse(p, out var address) ? address
            : throw new InvalidOperationException($"{KnownProxies}: '{p}' is not an IP address")).ToList();
        var networks = List(configuration, KnownNetworks).Select(n => System.Net.IPNetwork.TryParse(n, out var network) ? network
            : throw new InvalidOperationException($"{KnownNetworks}: '{n}' is not a network in CIDR notation (10.0.0.0/8)")).ToList();
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            // Unset: ASP.NET Core's default, loopback only. Set: exactly the ingress's addresses or networks.
            if (proxies.Count + networks.Count == 0)
                return;
            options.KnownIPNetworks.Clear();
            options.KnownProxies.Clear();
            proxies.ForEach(options.KnownProxies.Add);
            networks.ForEach(options.KnownIPNetworks.Add);
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

    private static string[] Origins(IConfiguration configuration) => List(configuration, CorsOrigins);

    /// <summary>A list setting: an array section, or one value separated by commas.</summary>
    private static string[] List(IConfiguration configuration, string key) =>
        configuration.GetSection(key).GetChildren().Select(c => c.Value).OfType<string>()
            .Concat((configuration[key] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(o => o.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
}
