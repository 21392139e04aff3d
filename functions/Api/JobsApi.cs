using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Jobs;
using Serverless.BatchInference.Contracts;

namespace Serverless.Api;

/// <summary>
/// <c>POST api/jobs</c>: submit a batch job (and <c>POST api/jobs/{id}/rerun</c>, <c>GET api/jobs/{id}/results</c>: <see cref="RerunApi"/>); 202 with Durable Functions' management payload. What
/// follows (status, list, terminate, events, purge) is <see cref="InstanceHandlers"/>, shared with
/// the Durable Functions routes.
/// </summary>
public static class JobsApi
{
    private static JsonSerializerOptions RequestJson => InstanceHandlers.RequestJson;

    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(InstanceRoutes.Jobs.Prefix, SubmitAsync);
        app.MapPost($"{InstanceRoutes.Jobs.Prefix}/{{id}}/rerun", RerunApi.RerunAsync);
        app.MapGet($"{InstanceRoutes.Jobs.Prefix}/{{id}}/results", RerunApi.ResultsAsync);
        return app;
    }

    /// <summary>The title of every 400 about a job request.</summary>
    public const string InvalidRequestTitle = InstanceHandlers.InvalidRequestTitle;

    /// <summary>The title of a 403: the job's source, output or model is outside the key's tenant rules.</summary>
    public const string RefusedTitle = "The job is outside this key's tenant rules.";

    /// <summary>The title of a 429: the tenant's hard limit of queued jobs is reached.</summary>
    public const string BusyTitle = "The tenant has as many jobs waiting as it may.";

    /// <summary>The title of a 409: the id names another job.</summary>
    public const string ConflictTitle = "Another job has this id.";

    /// <summary>202 with the management payload (the existing job's for a submission of the same job again), 400 by field, 409 for another job under the same id.</summary>
    public static async Task<Results<Accepted<JobManagementUrls>, ValidationProblem, ProblemHttpResult>> SubmitAsync(
        HttpRequest request, JobSubmission submission, DurableTaskClient client, CancellationToken cancellationToken)
    {
        var (body, errors) = await ReadRequestAsync(request.Body, cancellationToken);
        return body is null
            ? TypedResults.ValidationProblem(errors!, title: InvalidRequestTitle)
            : await StartAsync(InstanceRoutes.Jobs, body, request, submission, client, cancellationToken);
    }

    /// <summary>
    /// Durable Functions' startNew (<c>POST runtime/webhooks/durabletask/orchestrators/{name}[/{instanceId}]</c>):
    /// the body is the orchestrator's input, here a job request, submitted as <c>api/jobs</c> does it;
    /// 202 with the management payload under the Durable Functions routes; 400 for an orchestrator
    /// other than the job's, as the extension answers an unknown function.
    /// </summary>
    public static async Task<Results<Accepted<JobManagementUrls>, ValidationProblem, ProblemHttpResult>> StartNewAsync(
        string name, HttpRequest request, JobSubmission submission, DurableTaskClient client, string? instanceId = null, CancellationToken cancellationToken = default)
    {
        if (name != ActivityNames.BatchJob)
            return TypedResults.ValidationProblem(Error("name", $"there is no orchestrator '{name}' to start; this host starts '{ActivityNames.BatchJob}' with a job request as input"),
                title: InvalidRequestTitle);
        var (body, errors) = await ReadRequestAsync(request.Body, cancellationToken);
        if (body is null)
            return TypedResults.ValidationProblem(errors!, title: InvalidRequestTitle);
        if (instanceId is not null && body.Id is { } id && id != instanceId)
            return TypedResults.ValidationProblem(Error("id", $"the input's id '{id}' is not the instance id '{instanceId}' of the URL"), title: InvalidRequestTitle);
        return await StartAsync(InstanceRoutes.DurableFunctions, instanceId is null ? body : body with { Id = instanceId }, request, submission, client, cancellationToken);
    }

    private static async Task<Results<Accepted<JobManagementUrls>, ValidationProblem, ProblemHttpResult>> StartAsync(
        InstanceRoutes family, JobRequest body, HttpRequest request, JobSubmission submission, DurableTaskClient client, CancellationToken cancellationToken)
    {
        var outcome = await submission.SubmitAsync(client, body, InstanceHandlers.Caller(request.HttpContext), cancellationToken);
        if (outcome.Refused is { } refused)
            return TypedResults.Problem(statusCode: refused.Status, title: RefusedTitle, detail: refused.Detail,
                extensions: new Dictionary<string, object?> { ["rule"] = refused.Rule, ["field"] = refused.Field });
        if (outcome.Conflict is { } conflict)
            return InstanceHandlers.Problem(StatusCodes.Status409Conflict, ConflictTitle, conflict);
        if (outcome.Busy is { } busy)
        {
            request.HttpContext.Response.Headers.RetryAfter = Serverless.Jobs.Scheduling.JobScheduling.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return InstanceHandlers.Problem(StatusCodes.Status429TooManyRequests, BusyTitle, busy);
        }
        if (outcome.JobId is null)
            return TypedResults.ValidationProblem(Errors(outcome), title: InvalidRequestTitle);
        var urls = ManagementUrls.For(family, request, outcome.JobId);
        return TypedResults.Accepted(urls.StatusQueryGetUri, urls);
    }

    /// <summary>Reads a job request body: the request, or the errors by field when it is not one.</summary>
    public static async Task<(JobRequest? Request, Dictionary<string, string[]>? Errors)> ReadRequestAsync(Stream body, CancellationToken cancellationToken)
    {
        try
        {
            var request = await JsonSerializer.DeserializeAsync<JobRequest>(body, RequestJson, cancellationToken);
            return request is null ? (null, Error("body", "a JSON job description is required")) : (request, null);
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.');
            return (null, Error(field, $"is not valid JSON for a job: {e.Message}"));
        }
    }

    /// <summary>A refused submission's errors, in the shape of a validation problem.</summary>
    public static Dictionary<string, string[]> Errors(JobSubmission.Outcome outcome) => outcome.Errors.ToDictionary(e => e.Key, e => new[] { e.Value });

    private static Dictionary<string, string[]> Error(string field, string message) => InstanceHandlers.Error(field, message);
}
