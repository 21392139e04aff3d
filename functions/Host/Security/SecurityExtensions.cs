using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Host.Hosting;

namespace Serverless.Host.Security;

/// <summary>Wiring of keys and body limits: services, middleware, and endpoint conventions.</summary>
public static class SecurityExtensions
{
    public static IServiceCollection AddHostSecurity(this IServiceCollection services, HttpSecurityOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<HostKeyProvider>();
        // A body cut off at its limit is the client's (413); storage out of reach or refusing our credentials is a 503.
        services.AddOutageResponses();
        return services;
    }

    /// <summary>Keys, then body limits; call after <c>UseRouting</c> so the endpoint's metadata is known.</summary>
    public static IApplicationBuilder UseHostSecurity(this IApplicationBuilder app) =>
        app.UseMiddleware<KeyAuthorizationMiddleware>().UseMiddleware<BodyLimitMiddleware>();

    /// <summary>The key these endpoints need.</summary>
    public static TBuilder RequireAuthLevel<TBuilder>(this TBuilder builder, AuthLevel level) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AuthLevelMetadata(level));

    /// <summary>
    /// The role a tenant key needs on these endpoints; on admin endpoints it also lets a tenant's admin in,
    /// so only where the handler checks the job is the caller's (<c>CallerIdentity.CanManage</c>).
    /// </summary>
    public static TBuilder RequireTenantRole<TBuilder>(this TBuilder builder, Serverless.Jobs.Tenancy.TenantRole role) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new TenantRoleMetadata(role));

    /// <summary>Host-wide data no tenant may see (the process metrics): a tenant's key is refused (403); host keys only.</summary>
    public static TBuilder RefuseTenantKeys<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new HostKeysOnlyMetadata());

    /// <summary>The largest request body these endpoints accept.</summary>
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long maxBytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyLimitMetadata(maxBytes));
}
