using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using Serverless.Jobs.Tenancy;

namespace Serverless.Host.Security;

/// <summary>
/// Checks the key of every request against the endpoint's <see cref="AuthLevelMetadata"/> (the
/// strictest one; <see cref="AuthLevel.Function"/> where an endpoint says nothing, and for unknown
/// paths). The key comes from the <c>x-serverless-key</c> header (<see cref="TenantKeys.HeaderName"/>,
/// the one name a tenant's key has under both hosts; first when present), the <c>x-functions-key</c>
/// header or the <c>code</c> query parameter, as in Azure Functions, or from <c>Authorization: Bearer</c> (what a Prometheus scrape's
/// <c>authorization</c> setting sends). No key or a wrong key is 401; a function key on an admin
/// endpoint is 403.
/// A key that is none of the host keys may be a tenant's (<see cref="TenantStore"/>). The caller
/// found is stored as the request's <see cref="CallerIdentity"/> feature for the handlers: the master
/// key is the platform admin, a function key the implicit tenant, a tenant key its tenant and role
/// (<see cref="TenantRoleMetadata"/> says what role an endpoint needs).
/// </summary>
public sealed class KeyAuthorizationMiddleware(RequestDelegate next, HostKeyProvider keys, IServiceProvider services)
{
    public const string HeaderName = "x-functions-key";
    public const string QueryName = "code";
    private const string BearerPrefix = "Bearer ";

    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        var required = Required(endpoint);
        if (required == AuthLevel.Anonymous)
        {
            // Open to all, so the implicit tenant whatever key is sent (and /healthz never waits on the tenants' storage).
            context.Features.Set(CallerIdentity.Implicit);
            await next(context);
            return;
        }

        var caller = await IdentifyAsync(Presented(context.Request), context.RequestAborted);
        if (caller is null)
        {
            await Problem(context, StatusCodes.Status401Unauthorized, "A valid key is required.",
                $"Send a key in the {TenantKeys.HeaderName} or {HeaderName} header, as 'Authorization: Bearer <key>', or in the '{QueryName}' query parameter.");
            return;
        }
        context.Features.Set(caller);
        if (caller.IsTenantKey && endpoint?.Metadata.GetMetadata<HostKeysOnlyMetadata>() is not null)
        {
            await Problem(context, StatusCodes.Status403Forbidden, "A host key is required.",
                "This route shows the whole host (every tenant's work): a tenant's key is not enough.");
            return;
        }
        var tenantRole = endpoint?.Metadata.GetMetadata<TenantRoleMetadata>()?.Role;
        if (required == AuthLevel.Admin && !caller.IsPlatformAdmin && !(caller.IsTenantKey && tenantRole is not null))
        {
            await Problem(context, StatusCodes.Status403Forbidden, "The master key is required.",
                caller.IsTenantKey
                    ? "This operation is a platform admin operation: a tenant's key is not enough."
                    : "This operation is an admin operation: a function key is not enough.");
            return;
        }
        if (TenantKeys.RoleRefusal(caller, TenantKeys.Needed(context.Request.Method, tenantRole), context.Request.Method) is { } refusal)
        {
            await Problem(context, StatusCodes.Status403Forbidden, refusal.Title, refusal.Detail);
            return;
        }
        await next(context);
    }

    /// <summary>The caller a key stands for: a host key, else a tenant's key; null for none.</summary>
    private async ValueTask<CallerIdentity?> IdentifyAsync(string? presented, CancellationToken cancellationToken)
    {
        var hostKeys = await keys.GetAsync(cancellationToken);
        switch (hostKeys.Match(presented))
        {
            case KeyScope.Master: return CallerIdentity.PlatformAdmin;
            case KeyScope.Function: return CallerIdentity.Implicit;
        }
        // Only a key that is no host key costs a look at the tenants (cached; re-read every few seconds).
        return await TenantKeys.ResolveAsync(services.GetService<TenantStore>(), presented, cancellationToken);
    }

    private static AuthLevel Required(Endpoint? endpoint)
    {
        var levels = endpoint?.Metadata.GetOrderedMetadata<AuthLevelMetadata>() ?? [];
        return levels.Count == 0 ? AuthLevel.Function : levels.Max(l => l.Level);
    }

    private static string? Presented(HttpRequest request)
    {
        if (request.Headers.TryGetValue(TenantKeys.HeaderName, out var serverless) && !StringValues.IsNullOrEmpty(serverless))
            return serverless.ToString();
        if (request.Headers.TryGetValue(HeaderName, out StringValues header) && !StringValues.IsNullOrEmpty(header))
            return header.ToString();
        if (request.Headers.Authorization.ToString() is { } authorization && authorization.Length > BearerPrefix.Length && authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
            return authorization[BearerPrefix.Length..].Trim();
        return request.Query.TryGetValue(QueryName, out var code) ? code.ToString() : null;
    }

    internal static Task Problem(HttpContext context, int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
}
