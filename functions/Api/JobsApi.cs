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
/// <c>/api/jobs</c>: submit, query, list, terminate and purge batch jobs, with the contract of the
/// Durable Functions HTTP management API (202 + Location while running, 200 when done, 404 unknown).
/// </summary>
public static class JobsApi
{
    private static readonly JsonSerializerOptions RequestJson = new(JsonSerializerDefaults.Web) { AllowTrailingCommas = true };

    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("api/jobs");
        jobs.MapPost("", SubmitAsync);
        jobs.MapGet("", ListAsync);
        jobs.MapGet("{id}", GetAsync);
        jobs.MapPost("{id}/terminate", TerminateAsync);
        jobs.MapPost("{id}/raiseEvent/{eventName}", RaiseEventAsync);
        jobs.MapDelete("{id}", PurgeAsync);
        return app;
    }

    /// <summary>The title of every 400 about a job request.</summary>
    public const string InvalidRequestTitle = "The job request is not valid.";

    public static async Task<Results<Accepted<JobManagementUrls>, ValidationProblem>> SubmitAsync(
        HttpRequest request, JobSubmission submission, DurableTaskClient client, CancellationToken cancellationToken)
    {
        var (body, errors) = await ReadRequestAsync(request.Body, cancellationToken);
        if (body is null)
            return TypedResults.ValidationProblem(errors!, title: InvalidRequestTitle);
        var outcome = await submission.SubmitAsync(client, body, cancellationToken);
        if (outcome.JobId is null)
            return TypedResults.ValidationProblem(Errors(outcome), title: InvalidRequestTitle);
        var urls = Urls(request, outcome.JobId);
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

    public static async Task<Results<Ok<JobStatusResponse>, Accepted<JobStatusResponse>, ProblemHttpResult>> GetAsync(
        string id, HttpRequest request, DurableTaskClient client, bool showInput = false, CancellationToken cancellationToken = default)
    {
        var metadata = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken);
        if (metadata is null)
            return UnknownJob(id);
        var units = request.HttpContext.RequestServices.GetService<Serverless.Jobs.Progress.UnitProgress>();
        var status = await LiveProgress.AddRunningPagesAsync(client, units, JobStatusResponse.From(metadata, showInput), cancellationToken);
        // Not IsRunning: in the Durable Task client that is Running only, and a Pending job has not ended either.
        if (metadata.IsCompleted)
            return TypedResults.Ok(status);
        request.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Accepted(Urls(request, id).StatusQueryGetUri, status);
    }

    public static async Task<Results<Ok<JobListResponse>, ValidationProblem>> ListAsync(
        DurableTaskClient client, JobListing listing, string? status = null, int top = 100, string? continuationToken = null, CancellationToken cancellationToken = default)
    {
        if (RuntimeStatuses.Parse(status, out var statusError) is not { } statuses)
            return Invalid("status", statusError!);
        if (top is < 1 or > 1000)
            return Invalid("top", "must be between 1 and 1000");
        if (continuationToken is not null && !JobIndex.IsToken(continuationToken))
            return Invalid("continuationToken", "is not a token this list gave");
        var (jobs, next) = await listing.ListAsync(client, statuses, top, continuationToken, cancellationToken);
        return TypedResults.Ok(new JobListResponse(jobs, next));
    }

    public static async Task<Results<Accepted, ProblemHttpResult>> TerminateAsync(
        string id, DurableTaskClient client, JobManagement management, string? reason = null, CancellationToken cancellationToken = default)
    {
        var metadata = await client.GetInstanceAsync(id, cancellationToken);
        if (metadata is null)
            return UnknownJob(id);
        if (metadata.IsCompleted)
            return Ended(id, metadata.RuntimeStatus);
        await management.TerminateAsync(client, id, reason ?? "terminated by request", cancellationToken);
        return TypedResults.Accepted((string?)null);
    }

    public static async Task<Results<Accepted, ProblemHttpResult, ValidationProblem>> RaiseEventAsync(
        string id, string eventName, HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
        var instance = await client.GetInstanceAsync(id, cancellationToken);
        if (instance is null)
            return UnknownJob(id);
        if (instance.IsCompleted)
            return Ended(id, instance.RuntimeStatus);
        JsonElement? payload = null;
        try
        {
            if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
                payload = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body, RequestJson, cancellationToken);
        }
        catch (JsonException e)
        {
            return TypedResults.ValidationProblem(Error("body", $"an event's payload must be JSON: {e.Message}"), title: "The event is not valid.");
        }
        await client.RaiseEventAsync(id, eventName, payload, cancellationToken);
        return TypedResults.Accepted((string?)null);
    }

    public static async Task<Results<Ok<PurgeResponse>, ProblemHttpResult>> PurgeAsync(
        string id, DurableTaskClient client, JobManagement management, CancellationToken cancellationToken)
    {
        try
        {
            var deleted = await management.PurgeAsync(client, id, cancellationToken);
            return deleted == 0 ? UnknownJob(id) : TypedResults.Ok(new PurgeResponse(deleted));
        }
        catch (InvalidOperationException e)
        {
            return Problem(StatusCodes.Status409Conflict, "The job is still running.", e.Message);
        }
    }

    /// <summary>
    /// Durable Functions' management URLs for a job, on the host the caller reached (behind an ingress,
    /// its forwarded scheme and host). A caller that authenticated with <c>?code=</c> finds its key on
    /// them too, so a poller that only follows Location needs nothing else.
    /// </summary>
    public static JobManagementUrls Urls(HttpRequest request, string id)
    {
        var status = $"{request.Scheme}://{request.Host}/api/jobs/{Uri.EscapeDataString(id)}";
        var code = request.Query.TryGetValue("code", out var key) && !string.IsNullOrEmpty(key) ? "code=" + Uri.EscapeDataString(key.ToString()) : null;
        string With(string url, string? query = null) =>
            string.Join("", url, query is null && code is null ? "" : "?", string.Join("&", new[] { query, code }.Where(q => q is not null)));
        return new JobManagementUrls(id, With(status), With($"{status}/raiseEvent/{{eventName}}"), With($"{status}/terminate", "reason={text}"), With(status));
    }

    /// <summary>Seconds a poller of a running job should wait before it asks again (Durable Functions sends the header too).</summary>
    public const int RetryAfterSeconds = 2;

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(Error(field, message), title: InvalidRequestTitle);

    private static Dictionary<string, string[]> Error(string field, string message) => new() { [field] = [message] };

    /// <summary>410 Gone, as Durable Functions answers a terminate or an event for an instance that has ended.</summary>
    private static ProblemHttpResult Ended(string id, OrchestrationRuntimeStatus status) =>
        Problem(StatusCodes.Status410Gone, "The job has already ended.", $"Job '{id}' is {status}.");

    private static ProblemHttpResult UnknownJob(string id) => Problem(StatusCodes.Status404NotFound, "No such job.", $"No job with id '{id}'.");

    // TypedResults.Problem, not NotFound(problem): only it answers with application/problem+json.
    private static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(statusCode: status, title: title, detail: detail);
}

/// <summary>Answer of a purge.</summary>
public sealed record PurgeResponse(int InstancesDeleted);
