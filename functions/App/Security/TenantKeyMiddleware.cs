using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Jobs.Tenancy;

namespace Serverless.App.Security;

/// <summary>
/// The tenant of an HTTP function's request, found as the self-host finds it. The Functions host has
/// already checked the Functions key (the trigger's <see cref="AuthorizationLevel"/>); a tenant's key
/// comes in the <see cref="TenantKeys.HeaderName"/> header and is resolved through the same
/// <see cref="TenantStore"/> to a <see cref="CallerIdentity"/>, set as the request's feature, so the
/// shared handlers apply the same rules. A key there that is no tenant's is 401; a role too low for
/// the method (or for an admin route) is 403. Without the header: on an admin-level function (only
/// the Functions master key gets there) the platform admin, elsewhere the implicit tenant, since the
/// worker cannot tell the Functions master key from a function key.
/// </summary>
public sealed class TenantKeyMiddleware : IFunctionsWorkerMiddleware
{
    private static readonly ConcurrentDictionary<string, AuthorizationLevel> Levels = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (context.GetHttpContext() is not { } http)
        {
            await next(context);
            return;
        }
        var level = Levels.GetOrAdd(context.FunctionDefinition.EntryPoint, LevelOf);
        var presented = http.Request.Headers[TenantKeys.HeaderName].ToString();
        CallerIdentity caller;
        if (presented.Length == 0)
        {
            caller = level == AuthorizationLevel.Admin ? CallerIdentity.PlatformAdmin : CallerIdentity.Implicit;
        }
        else if (await TenantKeys.ResolveAsync(http.RequestServices.GetService<TenantStore>(), presented, http.RequestAborted) is { } tenant)
        {
            caller = tenant;
        }
        else
        {
            await ProblemAsync(http, StatusCodes.Status401Unauthorized, "A valid tenant key is required.", TenantKeys.UnknownKeyDetail);
            return;
        }
        var needed = TenantKeys.Needed(http.Request.Method, level == AuthorizationLevel.Admin ? TenantRole.Admin : null);
        if (TenantKeys.RoleRefusal(caller, needed, http.Request.Method) is { } refusal)
        {
            await ProblemAsync(http, StatusCodes.Status403Forbidden, refusal.Title, refusal.Detail);
            return;
        }
        http.Features.Set(caller);
        await next(context);
    }

    /// <summary>The trigger's authorization level, read from the function's method (<c>Namespace.Type.Method</c>); Function when not found.</summary>
    public static AuthorizationLevel LevelOf(string entryPoint)
    {
        var dot = entryPoint.LastIndexOf('.');
        var method = dot < 0 ? null : typeof(TenantKeyMiddleware).Assembly.GetType(entryPoint[..dot])?.GetMethod(entryPoint[(dot + 1)..]);
        var trigger = method?.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null);
        return trigger?.AuthLevel ?? AuthorizationLevel.Function;
    }

    private static Task ProblemAsync(HttpContext http, int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(http);
}
