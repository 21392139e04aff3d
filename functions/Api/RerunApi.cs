using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.DurableTask.Client;
using Serverless.Jobs.Reruns;
using Serverless.Storage.Results;

namespace Serverless.Api;

/// <summary>
/// Redrive and results over HTTP, for both hosts: <c>POST api/jobs/{id}/rerun</c> (a new job over the
/// failed images of an ended job: 202 with the management payload, 400/404/409 as problem details)
/// and <c>GET api/jobs/{id}/results[?merged=true]</c> (the job's rows as JSON Lines, or the newest row
/// per key over the job and its reruns). A rerun is a submission by the caller on a job it may see.
/// </summary>
public static class RerunApi
{
    /// <summary>The media type of the results: JSON Lines.</summary>
    public const string JsonLines = "application/x-ndjson";

    /// <summary>Starts the rerun of job <paramref name="id"/>'s failed images.</summary>
    public static async Task<IResult> RerunAsync(string id, HttpRequest request, RerunSubmission reruns, DurableTaskClient client, CancellationToken cancellationToken)
    {
        if (await InstanceHandlers.GuardAsync(request.HttpContext, id, manage: false, cancellationToken) is { } hidden)
            return hidden;
        RerunRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<RerunRequest>(request.Body, InstanceHandlers.RequestJson, cancellationToken);
        }
        catch (JsonException e)
        {
            return InstanceHandlers.Invalid(string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.'), $"is not valid JSON for a rerun: {e.Message}");
        }
        if (body is null)
            return InstanceHandlers.Invalid("body", "a JSON body is required: {\"failed\": true, \"reasons\": [...]}");
        var outcome = await reruns.SubmitAsync(client, id, body, InstanceHandlers.Caller(request.HttpContext), cancellationToken);
        return Answer(outcome, request);
    }

    /// <summary>What a rerun came to, as the answer the jobs API gives: 202 with the new job's management URLs, or the problem.</summary>
    public static IResult Answer(RerunOutcome outcome, HttpRequest request)
    {
        if (outcome.Errors is { } errors)
            return TypedResults.ValidationProblem(errors.ToDictionary(e => e.Key, e => new[] { e.Value }), title: InstanceHandlers.InvalidRequestTitle);
        if (outcome.Refusal is { } refusal)
            return InstanceHandlers.Problem(refusal.Status, refusal.Title, refusal.Detail);
        if (outcome.Refused is { } refused)
            return TypedResults.Problem(statusCode: refused.Status, title: "The job is outside this key's tenant rules.", detail: refused.Detail,
                extensions: new Dictionary<string, object?> { ["rule"] = refused.Rule, ["field"] = refused.Field });
        var submitted = outcome.Submitted!;
        if (submitted.Refused is { } tenant)
            return TypedResults.Problem(statusCode: tenant.Status, title: "The job is outside this key's tenant rules.", detail: tenant.Detail,
                extensions: new Dictionary<string, object?> { ["rule"] = tenant.Rule, ["field"] = tenant.Field });
        if (submitted.Conflict is { } conflict)
            return InstanceHandlers.Problem(StatusCodes.Status409Conflict, JobsApi.ConflictTitle, conflict);
        if (submitted.JobId is null)
            return TypedResults.ValidationProblem(JobsApi.Errors(submitted), title: InstanceHandlers.InvalidRequestTitle);
        var urls = ManagementUrls.For(InstanceRoutes.Jobs, request, submitted.JobId);
        return TypedResults.Accepted(urls.StatusQueryGetUri, urls);
    }

    /// <summary>The job's rows as JSON Lines; <c>merged=true</c>: the newest row per key over the job and its reruns.</summary>
    public static async Task<IResult> ResultsAsync(string id, HttpRequest request, JobResults results, DurableTaskClient client, CancellationToken cancellationToken)
    {
        var text = request.Query["merged"].ToString();
        var merged = false;
        if (text.Length > 0 && !bool.TryParse(text, out merged))
            return InstanceHandlers.Invalid("merged", "must be true or false");
        if (await InstanceHandlers.GuardAsync(request.HttpContext, id, manage: false, cancellationToken) is { } hidden)
            return hidden;
        var outcome = await results.OpenAsync(client, id, merged, cancellationToken);
        if (outcome.Rows is not { } rows)
            return InstanceHandlers.Problem(outcome.Status, outcome.Title!, outcome.Detail!);
        return TypedResults.Stream(async stream =>
        {
            await using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
            await foreach (var row in rows.WithCancellation(cancellationToken))
                await writer.WriteLineAsync(PredictionJson.Serialize(row));
        }, JsonLines);
    }
}
