using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Jobs;
using Serverless.Jobs.Progress;
using Serverless.Jobs.Tenancy;

namespace Serverless.Api;

/// <summary>
/// The one set of handlers for a job (an orchestration instance), with the contract of the Durable
/// Functions HTTP management API: status (202 + Location + Retry-After while running, 200 when
/// ended, 404 unknown), list, terminate, raise event, suspend, resume (410 on an ended instance)
/// and purge (412 while it runs), rewind of a failed one, purge by filter. Mapped under <c>api/jobs</c> and <c>runtime/webhooks/durabletask/instances</c>
/// (<see cref="InstanceApi"/>); the Functions app's triggers call them too. Errors are problem details.
/// </summary>
public static class InstanceHandlers
{
    /// <summary>Seconds a poller of a running job should wait before it asks again (Durable Functions sends the header too).</summary>
    public const int RetryAfterSeconds = 2;

    /// <summary>The title of every 400 about a job request.</summary>
    public const string InvalidRequestTitle = "The job request is not valid.";

    internal static readonly JsonSerializerOptions RequestJson = new(JsonSerializerDefaults.Web) { AllowTrailingCommas = true };

    /// <summary>Header of a status whose history was cut to the newest events: how many older ones were left out.</summary>
    public const string HistoryOmittedHeader = "x-serverless-history-omitted";

    /// <summary>
    /// A job's status: <c>showInput</c> (the family's default), <c>showHistory</c> (with
    /// <c>showHistoryOutput</c> for results) where the host keeps one. While it runs, 202 with
    /// Retry-After and Location, the absolute URL of this request, as Durable Functions answers.
    /// </summary>
    public static async Task<Results<Ok<JobStatusResponse>, Accepted<JobStatusResponse>, ProblemHttpResult, ValidationProblem>> GetAsync(
        InstanceRoutes family, string id, HttpRequest request, DurableTaskClient client, UnitProgress units, CancellationToken cancellationToken)
    {
        if (!TryFlag(request, "showInput", family.ShowInputByDefault, out var showInput) || !TryFlag(request, "showHistory", false, out var showHistory)
            || !TryFlag(request, "showHistoryOutput", false, out var showHistoryOutput))
            return Invalid("showInput", "showInput, showHistory and showHistoryOutput must be true or false");
        if (await GuardAsync(request.HttpContext, id, manage: false, cancellationToken) is { } hidden)
            return hidden;
        var metadata = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken);
        if (metadata is null)
            return UnknownJob(id);
        var status = await LiveProgress.AddRunningPagesAsync(client, units, JobStatusResponse.From(metadata, showInput), cancellationToken);
        if (showHistory && request.HttpContext.RequestServices.GetService<IInstanceHistory>() is { } history)
        {
            var (events, omitted) = await history.GetAsync(id, showHistoryOutput, cancellationToken);
            status = status with { HistoryEvents = events };
            if (omitted > 0)
                request.HttpContext.Response.Headers[HistoryOmittedHeader] = omitted.ToString(CultureInfo.InvariantCulture);
        }
        // Not IsRunning: in the Durable Task client that is Running only, and a Pending job has not ended either.
        if (metadata.IsCompleted)
            return TypedResults.Ok(status);
        request.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Accepted(ManagementUrls.ThisRequest(request), status);
    }

    /// <summary>
    /// A page of jobs, newest first, from the one <see cref="JobListing"/>: statuses (the family's
    /// parameter), <c>createdTimeFrom</c>/<c>To</c>, <c>instanceIdPrefix</c>, <c>top</c>, the continuation
    /// token where the family carries it, <c>showInput</c> for inputs and outputs.
    /// </summary>
    public static async Task<IResult> ListAsync(InstanceRoutes family, HttpRequest request, DurableTaskClient client, JobListing listing, CancellationToken cancellationToken)
    {
        var query = request.Query;
        if (RuntimeStatuses.Parse(query[family.StatusParameter], out var statusError) is not { } statuses)
            return Invalid(family.StatusParameter, statusError!);
        if (!TryTop(query["top"], out var top))
            return Invalid("top", "must be between 1 and 1000");
        if (!TryTime(query["createdTimeFrom"], out var from) || !TryTime(query["createdTimeTo"], out var to))
            return Invalid("createdTimeFrom", "createdTimeFrom and createdTimeTo must be ISO 8601 times");
        if (!TryFlag(request, "showInput", family.ShowInputByDefault, out var showInput))
            return Invalid("showInput", "must be true or false");
        var tokenName = family.TokenHeader ?? "continuationToken";
        var token = (family.TokenHeader is { } header ? request.Headers[header].ToString() : query["continuationToken"].ToString()) is { Length: > 0 } given ? given : null;
        if (token is not null && !JobIndex.IsToken(token))
            return Invalid(tokenName, "is not a token this list gave");
        var caller = Caller(request.HttpContext);
        var jobQuery = new JobQuery
        {
            Statuses = statuses, CreatedFrom = from, CreatedTo = to, InstanceIdPrefix = query["instanceIdPrefix"].ToString(),
            Top = top, ContinuationToken = token, WithInputs = showInput, CanSee = caller.CanSee, Tenant = query["tenant"].ToString(),
        };
        var (jobs, next) = await listing.ListAsync(client, jobQuery, cancellationToken);
        if (family.TokenHeader is null)
            return TypedResults.Ok(new JobListResponse(jobs, next));
        if (next is not null)
            request.HttpContext.Response.Headers[family.TokenHeader] = next;
        return TypedResults.Ok(jobs);
    }

    public static async Task<Results<Accepted, ProblemHttpResult>> TerminateAsync(
        string id, DurableTaskClient client, JobManagement management, string? reason = null, CancellationToken cancellationToken = default, HttpContext? context = null) =>
        await ChangeAsync(id, client, () => management.TerminateAsync(client, id, reason ?? "terminated by request", cancellationToken), context, cancellationToken);

    public static async Task<Results<Accepted, ProblemHttpResult>> SuspendAsync(string id, DurableTaskClient client, string? reason = null, CancellationToken cancellationToken = default, HttpContext? context = null) =>
        await ChangeAsync(id, client, () => client.SuspendInstanceAsync(id, reason, cancellationToken), context, cancellationToken);

    public static async Task<Results<Accepted, ProblemHttpResult>> ResumeAsync(string id, DurableTaskClient client, string? reason = null, CancellationToken cancellationToken = default, HttpContext? context = null) =>
        await ChangeAsync(id, client, () => client.ResumeInstanceAsync(id, reason, cancellationToken), context, cancellationToken);

    /// <summary>An event with the request body (JSON, or none) as its payload.</summary>
    public static async Task<Results<Accepted, ProblemHttpResult, ValidationProblem>> RaiseEventAsync(
        string id, string eventName, HttpRequest request, DurableTaskClient client, CancellationToken cancellationToken)
    {
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
        var outcome = await ChangeAsync(id, client, () => client.RaiseEventAsync(id, eventName, payload, cancellationToken), request.HttpContext, cancellationToken);
        return outcome.Result is Accepted accepted ? accepted : (ProblemHttpResult)outcome.Result;
    }

    /// <summary>Purges an ended job with its pages: 200 with the count, 404 unknown, 412 while it runs (as Durable Functions answers).</summary>
    public static async Task<Results<Ok<PurgeResponse>, ProblemHttpResult>> PurgeAsync(
        string id, DurableTaskClient client, JobManagement management, CancellationToken cancellationToken, HttpContext? context = null)
    {
        if (await GuardAsync(context, id, manage: true, cancellationToken) is { } hidden)
            return hidden;
        try
        {
            var deleted = await management.PurgeAsync(client, id, cancellationToken);
            return deleted == 0 ? UnknownJob(id) : TypedResults.Ok(new PurgeResponse(deleted));
        }
        catch (InvalidOperationException e)
        {
            return Problem(StatusCodes.Status412PreconditionFailed, "The job is still running.", e.Message);
        }
    }

    /// <summary>
    /// Purges the ended jobs created from <c>createdTimeFrom</c> (required) to <c>createdTimeTo</c>
    /// (default now) in the family's statuses: 200 with the instances deleted, 404 when none were.
    /// Jobs still running are left alone.
    /// </summary>
    public static async Task<IResult> PurgeByFilterAsync(InstanceRoutes family, HttpRequest request, DurableTaskClient client, JobListing listing,
        JobManagement management, CancellationToken cancellationToken)
    {
        var query = request.Query;
        if (!TryTime(query["createdTimeFrom"], out var from) || from is null)
            return Invalid("createdTimeFrom", "is required: the ISO 8601 time from which jobs are purged");
        if (!TryTime(query["createdTimeTo"], out var to))
            return Invalid("createdTimeTo", "must be an ISO 8601 time");
        if (RuntimeStatuses.Parse(query[family.StatusParameter], out var statusError) is not { } statuses)
            return Invalid(family.StatusParameter, statusError!);
        IReadOnlyCollection<OrchestrationRuntimeStatus> ended = [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated];
        var jobQuery = new JobQuery { Statuses = statuses.Count == 0 ? ended : statuses.Intersect(ended).ToList(), CreatedFrom = from, CreatedTo = to ?? DateTimeOffset.UtcNow, Top = 1000,
            CanSee = Caller(request.HttpContext).CanManage, Tenant = query["tenant"].ToString() };
        if (jobQuery.Statuses!.Count == 0)
            return UnknownJob("(no ended job in those statuses)");
        // Listed first, then purged: purging while paging would move the list under its token.
        var ids = new List<string>();
        do
        {
            var (jobs, next) = await listing.ListAsync(client, jobQuery, cancellationToken);
            ids.AddRange(jobs.Select(j => j.InstanceId));
            jobQuery = jobQuery with { ContinuationToken = next };
        }
        while (jobQuery.ContinuationToken is not null);
        var deleted = 0;
        foreach (var id in ids)
        {
            try
            {
                deleted += await management.PurgeAsync(client, id, cancellationToken);
            }
            catch (InvalidOperationException)
            {
                // Restarted (rewound) since it was listed: not ended any more.
            }
        }
        return deleted == 0
            ? Problem(StatusCodes.Status404NotFound, "No job to purge.", "No ended job was created in that time in those statuses.")
            : TypedResults.Ok(new PurgeResponse(deleted));
    }

    /// <summary>Rewinds a failed job (its failed work runs again): 202; 404 unknown; 412 when it has not failed; 501 where the engine cannot.</summary>
    public static async Task<Results<Accepted, ProblemHttpResult>> RewindAsync(string id, DurableTaskClient client, string? reason = null, CancellationToken cancellationToken = default, HttpContext? context = null)
    {
        if (await GuardAsync(context, id, manage: true, cancellationToken) is { } hidden)
            return hidden;
        var metadata = await client.GetInstanceAsync(id, cancellationToken);
        if (metadata is null)
            return UnknownJob(id);
        if (metadata.RuntimeStatus != OrchestrationRuntimeStatus.Failed)
            return Problem(StatusCodes.Status412PreconditionFailed, "Only a failed job can be rewound.", $"Job '{id}' is {metadata.RuntimeStatus}.");
        try
        {
#pragma warning disable CS0618 // Rewind is marked obsolete by the client, and still what Durable Functions' rewind route does.
            await client.RewindInstanceAsync(id, reason ?? "rewound by request", cancellationToken);
#pragma warning restore CS0618
        }
        catch (NotSupportedException e)
        {
            return Problem(StatusCodes.Status501NotImplemented, "This host's engine cannot rewind.", e.Message);
        }
        return TypedResults.Accepted((string?)null);
    }

    /// <summary>An action on a live instance: 404 when unknown, 410 when it has ended (as Durable Functions answers), else 202.</summary>
    private static async Task<Results<Accepted, ProblemHttpResult>> ChangeAsync(string id, DurableTaskClient client, Func<Task> change, HttpContext? context, CancellationToken cancellationToken)
    {
        if (await GuardAsync(context, id, manage: true, cancellationToken) is { } hidden)
            return hidden;
        var metadata = await client.GetInstanceAsync(id, cancellationToken);
        if (metadata is null)
            return UnknownJob(id);
        if (metadata.IsCompleted)
            return Problem(StatusCodes.Status410Gone, "The job has already ended.", $"Job '{id}' is {metadata.RuntimeStatus}.");
        await change();
        return TypedResults.Accepted((string?)null);
    }

    private static bool TryFlag(HttpRequest request, string name, bool fallback, out bool value)
    {
        value = fallback;
        var text = request.Query[name].ToString();
        return text.Length == 0 || bool.TryParse(text, out value);
    }

    private static bool TryTop(string? text, out int top)
    {
        top = 100;
        return string.IsNullOrEmpty(text) || (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out top) && top is >= 1 and <= 1000);
    }

    private static bool TryTime(string? text, out DateTimeOffset? time)
    {
        time = null;
        if (string.IsNullOrEmpty(text))
            return true;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            return false;
        time = parsed;
        return true;
    }

    internal static ValidationProblem Invalid(string field, string message) => TypedResults.ValidationProblem(Error(field, message), title: InvalidRequestTitle);

    internal static Dictionary<string, string[]> Error(string field, string message) => new() { [field] = [message] };

    /// <summary>Who is calling: the key middleware's identity; none (the Functions app, a host without tenants): the implicit tenant.</summary>
    public static CallerIdentity Caller(HttpContext? context) => context?.Features.Get<CallerIdentity>() ?? CallerIdentity.Implicit;

    /// <summary>
    /// Whether the caller may see (and, with <paramref name="manage"/>, change) the job: null to go on;
    /// else exactly the 404 of an unknown job when it may not see it (ids do not leak), or a 403 when a
    /// tenant key sees it but its role may not change it. The tenant is the index's, read before the job.
    /// </summary>
    internal static async Task<ProblemHttpResult?> GuardAsync(HttpContext? context, string id, bool manage, CancellationToken cancellationToken)
    {
        var caller = Caller(context);
        if (caller.IsPlatformAdmin || context?.RequestServices.GetService<JobIndex>() is not { } index)
            return null;
        // Not in the index (a job older than the index, an unknown id): no tenant's.
        string? tenant;
        try
        {
            // A page sub-orchestration is its job's: judged by the job's tenant.
            (_, tenant) = await index.GetTenantAsync(Serverless.BatchInference.Contracts.PageIds.TryParse(id, out var jobId, out _) ? jobId : id, cancellationToken);
        }
        catch (Azure.RequestFailedException)
        {
            tenant = null; // an id the table cannot hold as a key (a fuzzed one) is no tenant's job
        }
        if (!caller.CanSee(tenant))
            return UnknownJob(id);
        // A function key passed its route's key level already; a tenant key needs its tenant's admin role.
        return manage && caller.IsTenantKey && !caller.CanManage(tenant)
            ? Problem(StatusCodes.Status403Forbidden, "This key may not change jobs.", $"Key '{caller.KeyId}' of tenant '{caller.Tenant}' is a {caller.Role.ToString().ToLowerInvariant()}; terminate, purge, raise event, suspend, resume and rewind need its tenant's admin role.")
            : null;
    }

    internal static ProblemHttpResult UnknownJob(string id) => Problem(StatusCodes.Status404NotFound, "No such job.", $"No job with id '{id}'.");

    // TypedResults.Problem, not NotFound(problem): only it answers with application/problem+json.
    internal static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(statusCode: status, title: title, detail: detail);
}

/// <summary>Answer of a purge.</summary>
public sealed record PurgeResponse(int InstancesDeleted);
