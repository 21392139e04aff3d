using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Serverless.Host.Security;

/// <summary>
/// Checks the key of every request against the endpoint's <see cref="AuthLevelMetadata"/> (the
/// strictest one; <see cref="AuthLevel.Function"/> where an endpoint says nothing, and for unknown
/// paths). The key comes from the <c>x-functions-key</c> header or the <c>code</c> query parameter,
/// as in Azure Functions, or from <c>Authorization: Bearer</c> (what a Prometheus scrape's
/// <c>authorization</c> setting sends). No key or a wrong key is 401; a function key on an admin
/// endpoint is 403.
/// </summary>
public sealed class KeyAuthorizationMiddleware(RequestDelegate next, HostKeyProvider keys)
{
    public const string HeaderName = "x-functions-key";
    public const string QueryName = "code";
    private const string BearerPrefix = "Bearer ";

    public async Task InvokeAsync(HttpContext context)
    {
        var required = Required(context.GetEndpoint());
        if (required == AuthLevel.Anonymous)
        {
            await next(context);
            return;
        }

        var hostKeys = await keys.GetAsync(context.RequestAborted);
        var scope = hostKeys.Match(Presented(context.Request));
        if (scope == KeyScope.None)
        {
            await Problem(context, StatusCodes.Status401Unauthorized, "A valid key is required.",
                $"Send a function key in the {HeaderName} header, as 'Authorization: Bearer <key>', or in the '{QueryName}' query parameter.");
            return;
        }
        if (required == AuthLevel.Admin && scope != KeyScope.Master)
        {
            await Problem(context, StatusCodes.Status403Forbidden, "The master key is required.",
                "This operation is an admin operation: a function key is not enough.");
            return;
        }
        await next(context);
    }

    private static AuthLevel Required(Endpoint? endpoint)
    {
        var levels = endpoint?.Metadata.GetOrderedMetadata<AuthLevelMetadata>() ?? [];
        return levels.Count == 0 ? AuthLevel.Function : levels.Max(l => l.Level);
    }

    private static string? Presented(HttpRequest request)
    {
        if (request.Headers.TryGetValue(HeaderName, out StringValues header) && !StringValues.IsNullOrEmpty(header))
            return header.ToString();
        if (request.Headers.Authorization.ToString() is { } authorization && authorization.Length > BearerPrefix.Length && authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
            return authorization[BearerPrefix.Length..].Trim();
        return request.Query.TryGetValue(QueryName, out var code) ? code.ToString() : null;
    }

    internal static Task Problem(HttpContext context, int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
}
