using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;
using Serverless.Jobs;

namespace Serverless.Api;

/// <summary>
/// The Durable Functions HTTP management API (<c>runtime/webhooks/durabletask</c>) over the same task
/// hub, with its routes, parameters and status codes, so tools written for Durable Functions work
/// with `serverless host` unchanged: status (202 + Retry-After while running, <c>showInput</c>
/// defaulting to true, <c>showHistory</c>), list (<c>runtimeStatus</c>, <c>createdTimeFrom</c>/<c>To</c>,
/// <c>instanceIdPrefix</c>, <c>top</c>, <c>x-ms-continuation-token</c>), terminate, raiseEvent,
/// suspend and resume (410 on an ended instance), purge. Errors are problem details.
/// </summary>
public static class DurableFunctionsApi
{
    public const string Prefix = "runtime/webhooks/durabletask";
    private const string ContinuationHeader = "x-ms-continuation-token";

    public static RouteGroupBuilder MapDurableFunctionsApi(this IEndpointRouteBuilder app)
    {
        var instances = app.MapGroup($"{Prefix}/instances");
        instances.MapGet("", ListAsync);
        instances.MapGet("{id}", GetAsync);
        instances.MapPost("{id}/terminate", TerminateAsync);
        instances.MapPost("{id}/raiseEvent/{eventName}", RaiseEventAsync);
        instances.MapPost("{id}/suspend", (string id, DurableTaskClient client, string? reason, CancellationToken ct) =>
            ChangeAsync(id, client, ct, () => client.SuspendInstanceAsync(id, reason, ct)));
        instances.MapPost("{id}/resume", (string id, DurableTaskClient client, string? reason, CancellationToken ct) =>
            ChangeAsync(id, client, ct, () => client.ResumeInstanceAsync(id, reason, ct)));
        instances.MapDelete("{id}", PurgeAsync);
        return instances;
    }

    public static async Task<Results<Ok<JobStatusResponse>, Accepted<JobStatusResponse>, ProblemHttpResult>> GetAsync(
        string id, HttpRequest request, DurableTaskClient client, IInstanceHistory history,
        bool? showInput = null, bool showHistory = false, CancellationToken cancellationToken = default)
    {
        var metadata = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken);
        if (metadata is null)
            return NotFound(id);
        var events = showHistory ? await history.GetAsync(id, cancellationToken) : null;
        var status = JobStatusResponse.From(metadata, showInput ?? true) with { HistoryEvents = events };
        if (metadata.IsCompleted)
            return TypedResults.Ok(status);
        request.HttpContext.Response.Headers.RetryAfter = JobsApi.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Accepted(request.Path + request.QueryString, status);
    }

    public static async Task<Results<Ok<List<JobStatusResponse>>, ProblemHttpResult>> ListAsync(
        HttpRequest request, DurableTaskClient client, string? runtimeStatus = null, DateTimeOffset? createdTimeFrom = null, DateTimeOffset? createdTimeTo = null,
        string? instanceIdPrefix = null, int top = 100, bool showInput = false, CancellationToken cancellationToken = default)
    {
        if (RuntimeStatuses.Parse(runtimeStatus, out var statusError) is not { } statuses)
            return Invalid("runtimeStatus", statusError!);
        if (top is < 1 or > 1000)
            return Invalid("top", "must be between 1 and 1000");
        var query = new OrchestrationQuery
        {
            Statuses = statuses.Count > 0 ? statuses : null,
            CreatedFrom = createdTimeFrom,
            CreatedTo = createdTimeTo,
            InstanceIdPrefix = instanceIdPrefix,
            PageSize = top,
            FetchInputsAndOutputs = showInput,
        };
        var token = request.Headers[ContinuationHeader].FirstOrDefault() is { Length: > 0 } given ? given : null;
        var list = new List<JobStatusResponse>();
        try
        {
            await foreach (var page in client.GetAllInstancesAsync(query).AsPages(token, top).WithCancellation(cancellationToken))
            {
                list.AddRange(page.Values.Select(i => JobStatusResponse.From(i, showInput)));
                if (page.ContinuationToken is { } next)
                    request.HttpContext.Response.Headers[ContinuationHeader] = next;
                break;
            }
        }
        catch (Exception e) when (token is not null && e is FormatException or ArgumentException or JsonException or Newtonsoft.Json.JsonException)
        {
            return Invalid(ContinuationHeader, "is not a token this list gave");
        }
        return TypedResults.Ok(list);
    }

    public static async Task<Results<Accepted, ProblemHttpResult>> TerminateAsync(
        string id, DurableTaskClient client, JobManagement management, string? reason = null, CancellationToken cancellationToken = default) =>
        await ChangeAsync(id, client, cancellationToken, () => management.TerminateAsync(client, id, reason ?? "terminated by request", cancellationToken));

    public static async Task<Results<Accepted, ProblemHttpResult>> RaiseEventAsync(
        string id, string eventName, HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        JsonElement? payload = null;
        try
        {
            if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
                payload = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            return Invalid("body", $"an event's payload must be JSON: {e.Message}");
        }
        return await ChangeAsync(id, client, cancellationToken, () => client.RaiseEventAsync(id, eventName, payload, cancellationToken));
    }

    public static async Task<Results<Ok<PurgeResponse>, ProblemHttpResult>> PurgeAsync(
        string id, DurableTaskClient client, JobManagement management, CancellationToken cancellationToken)
    {
        try
        {
            var deleted = await management.PurgeAsync(client, id, cancellationToken);
            return deleted == 0 ? NotFound(id) : TypedResults.Ok(new PurgeResponse(deleted));
        }
        catch (InvalidOperationException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The instance is still running.", detail: e.Message);
        }
    }

    /// <summary>An action on a live instance: 404 when unknown, 410 when it has ended (as Durable Functions answers), else 202.</summary>
    private static async Task<Results<Accepted, ProblemHttpResult>> ChangeAsync(string id, DurableTaskClient client, CancellationToken cancellationToken, Func<Task> change)
    {
        var metadata = await client.GetInstanceAsync(id, cancellationToken);
        if (metadata is null)
            return NotFound(id);
        if (metadata.IsCompleted)
            return TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "The instance has ended.", detail: $"Instance '{id}' is {metadata.RuntimeStatus}.");
        await change();
        return TypedResults.Accepted((string?)null);
    }

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such instance.", detail: $"No instance with id '{id}'.");

    private static ProblemHttpResult Invalid(string field, string message) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid.", detail: $"{field} {message}",
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });
}
