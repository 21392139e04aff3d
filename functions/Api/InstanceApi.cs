using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;
using Serverless.Jobs;
using Serverless.Jobs.Progress;

namespace Serverless.Api;

/// <summary>
/// One route family over the <see cref="InstanceHandlers"/>: where it lives and the names its
/// documentation gives the list's status filter, continuation token and <c>showInput</c>'s default.
/// </summary>
/// <param name="Prefix">The routes' prefix: <c>{Prefix}</c> lists, <c>{Prefix}/{id}</c> is an instance.</param>
/// <param name="StatusParameter">The list's status filter (<c>status</c> or <c>runtimeStatus</c>).</param>
/// <param name="ShowInputByDefault">Whether a status shows the input unless <c>showInput=false</c>.</param>
/// <param name="TokenHeader">The header that carries the list's continuation token; null: the <c>continuationToken</c> query parameter and the body.</param>
public sealed record InstanceRoutes(string Prefix, string StatusParameter, bool ShowInputByDefault, string? TokenHeader)
{
    /// <summary><c>api/jobs</c>: <c>status</c>, <c>continuationToken</c> in the query and in the body, the input shown only when asked.</summary>
    public static readonly InstanceRoutes Jobs = new("api/jobs", "status", ShowInputByDefault: false, TokenHeader: null);

    /// <summary>The Durable Functions management API: <c>runtimeStatus</c>, the <c>x-ms-continuation-token</c> header, <c>showInput</c> true by default.</summary>
    public static readonly InstanceRoutes DurableFunctions = new(DurableFunctionsPrefix + "/instances", "runtimeStatus", ShowInputByDefault: true, TokenHeader: "x-ms-continuation-token");

    /// <summary>The root of Durable Functions' HTTP API (<c>runtime/webhooks/durabletask</c>).</summary>
    public const string DurableFunctionsPrefix = "runtime/webhooks/durabletask";

    /// <summary>Both families.</summary>
    public static IReadOnlyList<InstanceRoutes> All { get; } = [Jobs, DurableFunctions];
}

/// <summary>
/// The instance routes of both families, split by what they need: <see cref="Reads"/> (status and
/// list) and <see cref="Changes"/> (start, terminate, raise event, suspend, resume, rewind, purge), so a host states
/// the key each needs once.
/// </summary>
public sealed record InstanceEndpoints(RouteGroupBuilder Reads, RouteGroupBuilder Changes);

/// <summary>Maps the <see cref="InstanceHandlers"/> under every family of <see cref="InstanceRoutes.All"/>, from one table.</summary>
public static class InstanceApi
{
    /// <summary>A route of every family: method, pattern after the prefix, whether it changes the instance, its handler for a family.</summary>
    private sealed record Route(string Method, string Suffix, bool Changes, Func<InstanceRoutes, Delegate> Handler);

    private static readonly Route[] Table =
    [
        new(HttpMethods.Get, "", false, f => (HttpRequest request, DurableTaskClient client, JobListing listing, CancellationToken ct) =>
            InstanceHandlers.ListAsync(f, request, client, listing, ct)),
        new(HttpMethods.Get, "{id}", false, f => (string id, HttpRequest request, DurableTaskClient client, UnitProgress units, CancellationToken ct) =>
            InstanceHandlers.GetAsync(f, id, request, client, units, ct)),
        new(HttpMethods.Post, "{id}/terminate", true, _ => InstanceHandlers.TerminateAsync),
        new(HttpMethods.Post, "{id}/raiseEvent/{eventName}", true, _ => InstanceHandlers.RaiseEventAsync),
        new(HttpMethods.Post, "{id}/suspend", true, _ => InstanceHandlers.SuspendAsync),
        new(HttpMethods.Post, "{id}/resume", true, _ => InstanceHandlers.ResumeAsync),
        new(HttpMethods.Post, "{id}/rewind", true, _ => InstanceHandlers.RewindAsync),
        new(HttpMethods.Delete, "{id}", true, _ => InstanceHandlers.PurgeAsync),
        new(HttpMethods.Delete, "", true, f => (HttpRequest request, DurableTaskClient client, JobListing listing, JobManagement management, CancellationToken ct) =>
            InstanceHandlers.PurgeByFilterAsync(f, request, client, listing, management, ct)),
    ];

    /// <summary>Durable Functions' start of a new instance (startNew): the orchestrator's name, and the instance id when the caller chooses it.</summary>
    private static readonly string[] StartPatterns =
        [$"{InstanceRoutes.DurableFunctionsPrefix}/orchestrators/{{name}}", $"{InstanceRoutes.DurableFunctionsPrefix}/orchestrators/{{name}}/{{instanceId}}"];

    /// <summary>Every route of every family (method, pattern, whether it changes the instance), for the request fuzz test and the key tests.</summary>
    public static IReadOnlyList<(string Method, string Pattern, bool Changes)> Routes { get; } =
    [
        .. InstanceRoutes.All.SelectMany(f => Table.Select(r => (r.Method, Pattern(f, r), r.Changes))),
        .. StartPatterns.Select(p => (HttpMethods.Post, p, true)),
    ];

    public static InstanceEndpoints MapInstanceApi(this IEndpointRouteBuilder app)
    {
        var endpoints = new InstanceEndpoints(app.MapGroup(""), app.MapGroup(""));
        foreach (var family in InstanceRoutes.All)
            foreach (var route in Table)
                (route.Changes ? endpoints.Changes : endpoints.Reads).MapMethods(Pattern(family, route), [route.Method], route.Handler(family));
        foreach (var pattern in StartPatterns)
            endpoints.Changes.MapPost(pattern, JobsApi.StartNewAsync);
        return endpoints;
    }

    private static string Pattern(InstanceRoutes family, Route route) => route.Suffix.Length == 0 ? family.Prefix : $"{family.Prefix}/{route.Suffix}";
}
