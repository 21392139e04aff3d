using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs;
using Serverless.Jobs.Progress;
using Serverless.Jobs.Tenancy;
using Serverless.Jobs.Reports;
using Serverless.Jobs.Reruns;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Api;

/// <summary>
/// The data the dashboard reads besides <c>api/jobs</c>: the job list newest first
/// (<c>api/dashboard/jobs</c>), a job's images/s chart drawn by the server's one chart renderer,
/// its sample rows and thumbnails of them, its rerun links (<c>parentJob</c>, <c>reruns</c>), and who the key is (<c>api/dashboard/me</c>: its tenant,
/// role and the locations the submit form may offer). Every route answers
/// problem details for bad input; none returns a key or takes one in its URL.
/// </summary>
public static class DashboardApi
{
    /// <summary>The routes of this group (method, pattern), for the request fuzz test of the hardening issue.</summary>
    public static IReadOnlyList<(string Method, string Pattern)> Routes { get; } =
    [
        (HttpMethods.Get, "api/dashboard/me"),
        (HttpMethods.Get, "api/dashboard/jobs"),
        (HttpMethods.Get, "api/dashboard/jobs/{id}/chart"),
        (HttpMethods.Get, "api/dashboard/jobs/{id}/samples"),
        (HttpMethods.Get, "api/dashboard/jobs/{id}/thumbnail"),
        (HttpMethods.Get, "api/dashboard/jobs/{id}/reruns"),
    ];

    public const int MaxPageSize = 100;
    public const int DefaultThumbnailSize = 192;

    public static RouteGroupBuilder MapDashboardApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("api/dashboard");
        group.MapGet("me", MeAsync);
        group.MapGet("jobs", ListAsync);
        group.MapGet("jobs/{id}/chart", ChartAsync);
        group.MapGet("jobs/{id}/samples", SamplesAsync);
        group.MapGet("jobs/{id}/thumbnail", ThumbnailAsync);
        group.MapGet("jobs/{id}/reruns", RerunsAsync);
        return group;
    }

    /// <summary>
    /// Who the key is, for the dashboard's header and submit form: a tenant key's tenant, role, allowed
    /// sources and outputs and models folder; the master key (<c>key: master</c>) the tenants' names for
    /// its filter; a function key (<c>key: function</c>) no tenant. Never the key itself.
    /// </summary>
    public static async Task<Ok<DashboardCaller>> MeAsync(HttpContext context, TenantStore tenants, CancellationToken cancellationToken)
    {
        var caller = InstanceHandlers.Caller(context);
        if (!caller.IsTenantKey && !caller.IsPlatformAdmin)
            return TypedResults.Ok(new DashboardCaller(null, caller.Role.Name(), "function", null, null, null, null));
        var snapshot = await tenants.GetAsync(cancellationToken);
        if (caller.IsPlatformAdmin)
            return TypedResults.Ok(new DashboardCaller(null, caller.Role.Name(), "master", null, null, null, snapshot.Document.Tenants.Select(t => t.Name).ToArray()));
        var tenant = snapshot.Find(caller.Tenant);
        return TypedResults.Ok(new DashboardCaller(caller.Tenant, caller.Role.Name(), "tenant", tenant?.AllowSources ?? [], tenant?.AllowOutputs ?? [], tenant?.ModelsDir, null));
    }

    /// <summary>A page of jobs, newest first: <c>?state=Running,Failed&amp;page=0&amp;pageSize=20</c>; <c>&amp;tenant=</c> one tenant's (the master key's filter).</summary>
    public static async Task<Results<Ok<DashboardJobList>, ValidationProblem>> ListAsync(
        HttpContext context, DurableTaskClient client, DashboardJobs directory, string? state = null, string? page = null, string? pageSize = null, string? tenant = null,
        CancellationToken cancellationToken = default)
    {
        if (!string.IsNullOrEmpty(tenant) && Tenant.NameError(tenant) is { } badTenant)
            return Invalid("tenant", badTenant);
        var states = new List<OrchestrationRuntimeStatus>();
        foreach (var name in (state ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<OrchestrationRuntimeStatus>(name, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(name, out _))
                return Invalid("state", $"'{name}' is not one of {string.Join(", ", Enum.GetNames<OrchestrationRuntimeStatus>())}");
            states.Add(parsed);
        }
        if (!TryNumber(page, 0, 0, 100_000, out var pageNumber))
            return Invalid("page", "must be a whole number from 0");
        if (!TryNumber(pageSize, 20, 1, MaxPageSize, out var size))
            return Invalid("pageSize", $"must be a whole number between 1 and {MaxPageSize}");
        return TypedResults.Ok(await directory.ListAsync(client, states, pageNumber, size, InstanceHandlers.Caller(context).CanSee, tenant, cancellationToken));
    }

    /// <summary>
    /// The job's images/s chart as an SVG document (<see cref="JobRateChart"/>): 204 while it has fewer
    /// than two progress samples to draw, 404 for an unknown job.
    /// </summary>
    public static async Task<Results<ContentHttpResult, NoContent, ProblemHttpResult>> ChartAsync(
        string id, HttpResponse response, DurableTaskClient client, UnitProgress units, TimeProvider clock, CancellationToken cancellationToken)
    {
        // Another tenant's job answers exactly as an unknown one.
        if (await InstanceHandlers.GuardAsync(response.HttpContext, id, manage: false, cancellationToken) is { } hidden)
            return hidden;
        // A page sub-orchestration is part of a job, not one.
        if (PageIds.IsPage(id) || await client.GetInstanceAsync(id, getInputsAndOutputs: false, cancellationToken) is not { } job)
            return Problem(JobImagesProblem.UnknownJob, $"No job with id '{id}'.");
        var status = await LiveProgress.AddRunningPagesAsync(client, units, JobStatusResponse.From(job, withInput: false), cancellationToken);
        response.Headers.CacheControl = "no-store";
        return JobRateChart.Svg(status, clock.GetUtcNow()) is { } svg ? TypedResults.Content(svg, "image/svg+xml") : TypedResults.NoContent();
    }

    /// <summary>The job's sample rows: classified images with their top class, failed ones with their reason.</summary>
    public static async Task<Results<Ok<ResultSamples>, ProblemHttpResult>> SamplesAsync(
        string id, HttpContext context, DurableTaskClient client, JobImages images, CancellationToken cancellationToken)
    {
        if (await InstanceHandlers.GuardAsync(context, id, manage: false, cancellationToken) is { } hidden)
            return hidden;
        var outcome = await images.SamplesAsync(client, id, cancellationToken);
        return outcome.Value is { } samples ? TypedResults.Ok(samples) : Problem(outcome.Problem, outcome.Detail);
    }

    /// <summary>A JPEG thumbnail of one of the job's sample images: <c>?key=...&amp;size=192</c>.</summary>
    public static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> ThumbnailAsync(
        string id, HttpResponse response, DurableTaskClient client, JobImages images, TenantPolicy policy, string? key = null, string? size = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(key))
            return Invalid("key", "is required: the key of one of the job's sample images");
        if (!TryNumber(size, DefaultThumbnailSize, 16, Inference.Thumbnailer.MaxSize, out var pixels))
            return Invalid("size", $"must be a whole number between 16 and {Inference.Thumbnailer.MaxSize}");
        if (await InstanceHandlers.GuardAsync(response.HttpContext, id, manage: false, cancellationToken) is { } hidden)
            return hidden;
        // A tenant's key reads only inside its tenant's sources (patterns may have narrowed since the job was submitted).
        var caller = InstanceHandlers.Caller(response.HttpContext);
        var outcome = await images.ThumbnailAsync(client, id, key, pixels, cancellationToken, async (source, ct) =>
            await policy.CheckSourceAsync(caller, source, ct) is { Allowed: false } refused ? $"{refused.Detail} (rule: {refused.Rule})" : null);
        if (outcome.Value is not { } jpeg)
            return Problem(outcome.Problem, outcome.Detail);
        // The image under a key may change; the key in the URL is not a secret, the answer is per caller.
        response.Headers.CacheControl = "private, max-age=300";
        return TypedResults.File(jpeg, "image/jpeg");
    }

    /// <summary>
    /// The job's rerun links: <c>parentJob</c> (the job it reruns, or null) and <c>reruns</c> (its reruns from
    /// its summary.json, oldest first: <c>jobId</c>, <c>output</c>, <c>submittedAt</c>); 404 for an unknown job.
    /// </summary>
    public static async Task<Results<Ok<RerunLinks>, ProblemHttpResult>> RerunsAsync(
        string id, HttpContext context, DurableTaskClient client, JobResults results, CancellationToken cancellationToken)
    {
        if (await InstanceHandlers.GuardAsync(context, id, manage: false, cancellationToken) is { } hidden)
            return hidden;
        try
        {
            return await results.LinksAsync(client, id, cancellationToken) is { } links
                ? TypedResults.Ok(links)
                : Problem(JobImagesProblem.UnknownJob, $"No job with id '{id}'.");
        }
        catch (ArgumentException e)
        {
            return Problem(JobImagesProblem.LocationRefused, e.Message);
        }
        catch (StorageException e)
        {
            return Problem(JobImagesProblem.StorageFailed, e.Message);
        }
    }

    private static ProblemHttpResult Problem(JobImagesProblem problem, string? detail) => problem switch
    {
        JobImagesProblem.UnknownJob => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such job.", detail: detail),
        JobImagesProblem.NotListed or JobImagesProblem.ImageGone => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such image.", detail: detail),
        JobImagesProblem.LocationRefused => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "The job's location may not be read by this host.", detail: detail),
        JobImagesProblem.Undecodable => TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The image cannot be decoded.", detail: detail),
        _ => TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The job's storage could not be read.", detail: detail),
    };

    private static bool TryNumber(string? text, int fallback, int min, int max, out int value)
    {
        value = fallback;
        return string.IsNullOrEmpty(text) || (int.TryParse(text, System.Globalization.NumberStyles.None, null, out value) && value >= min && value <= max);
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The dashboard request is not valid.");
}

/// <summary>
/// Answer of <c>api/dashboard/me</c>: the key's tenant (null for the master and function keys), its
/// role, what kind of key it is (<c>master</c>, <c>function</c>, <c>tenant</c>), a tenant key's allowed
/// sources and outputs and models folder, and for the master key the tenants' names.
/// </summary>
public sealed record DashboardCaller(string? Tenant, string Role, string Key, IReadOnlyList<string>? AllowSources, IReadOnlyList<string>? AllowOutputs,
    string? ModelsDir, IReadOnlyList<string>? Tenants);
