using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;
using Serverless.Jobs;
using Serverless.BatchInference.Contracts;

namespace Serverless.Api;

/// <summary>
/// <c>POST api/jobs</c>: submit a batch job; 202 with Durable Functions' management payload. What
/// follows (status, list, terminate, events, purge) is <see cref="InstanceHandlers"/>, shared with
/// the Durable Functions routes.
/// </summary>
public static class JobsApi
{
    private static JsonSerializerOptions RequestJson => InstanceHandlers.RequestJson;

    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(InstanceRoutes.Jobs.Prefix, SubmitAsync);
        return app;
    }

    /// <summary>The title of every 400 about a job request.</summary>
    public const string InvalidRequestTitle = InstanceHandlers.InvalidRequestTitle;

    public static async Task<Results<Accepted<JobManagementUrls>, ValidationProblem>> SubmitAsync(
        HttpRequest request, JobSubmission submission, DurableTaskClient client, CancellationToken cancellationToken)
    {
        var (body, errors) = await ReadRequestAsync(request.Body, cancellationToken);
        if (body is null)
            return TypedResults.ValidationProblem(errors!, title: InvalidRequestTitle);
        var outcome = await submission.SubmitAsync(client, body, cancellationToken);
        if (outcome.JobId is null)
            return TypedResults.ValidationProblem(Errors(outcome), title: InvalidRequestTitle);
        var urls = ManagementUrls.For(InstanceRoutes.Jobs, request, outcome.JobId);
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
