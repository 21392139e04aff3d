using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Scheduling;

namespace Serverless.Api;

/// <summary>
/// The scheduler's admin routes: <c>POST api/jobs/{id}/priority</c> raises or lowers a running job
/// (the master key, or an admin key of the job's tenant), <c>GET api/scheduler</c> shows who holds
/// and who waits for unit slots (a tenant admin sees its own tenant's rows).
/// </summary>
public static class SchedulerApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static RouteGroupBuilder MapSchedulerApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("api");
        group.MapPost("jobs/{id}/priority", SetPriorityAsync);
        group.MapGet("scheduler", GetAsync);
        return group;
    }

    /// <summary>200 with the job and its new priority; 400 for a name that is not a priority; 404 unknown (or another tenant's); 409 ended.</summary>
    public static async Task<IResult> SetPriorityAsync(string id, HttpRequest request, DurableTaskClient client, SchedulerControl scheduler, CancellationToken cancellationToken)
    {
        PriorityBody? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<PriorityBody>(request.Body, Json, cancellationToken);
        }
        catch (JsonException e)
        {
            return Invalid("body", $"is not the expected JSON ({{\"priority\": \"high\"}}): {e.Message}");
        }
        if (JobPriority.Parse(body?.Priority) is not { } priority)
            return Invalid("priority", JobPriority.Error(body?.Priority));
        if (await InstanceHandlers.GuardAsync(request.HttpContext, id, manage: true, cancellationToken) is { } hidden)
            return hidden;
        if (PageIds.IsPage(id) || await client.GetInstanceAsync(id, cancellationToken) is not { } job)
            return InstanceHandlers.UnknownJob(id);
        if (job.IsCompleted)
            return InstanceHandlers.Problem(StatusCodes.Status409Conflict, "The job has ended.", $"Job '{id}' is {job.RuntimeStatus}: its priority no longer matters.");
        await scheduler.SetPriorityAsync(client, id, priority, cancellationToken);
        return TypedResults.Ok(new PriorityChanged(id, priority));
    }

    /// <summary>The scheduler's state; a tenant admin's key sees its own tenant's rows.</summary>
    public static async Task<IResult> GetAsync(HttpRequest request, DurableTaskClient client, SchedulerView view, CancellationToken cancellationToken)
    {
        var snapshot = await view.ReadAsync(client, cancellationToken);
        var caller = InstanceHandlers.Caller(request.HttpContext);
        return TypedResults.Ok(caller.IsTenantKey ? snapshot.For(caller.Tenant!) : snapshot);
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request is not valid.");
}

/// <summary>Body of <c>POST api/jobs/{id}/priority</c>.</summary>
public sealed record PriorityBody(string? Priority);

/// <summary>Answer of <c>POST api/jobs/{id}/priority</c>.</summary>
public sealed record PriorityChanged(string Id, string Priority);
