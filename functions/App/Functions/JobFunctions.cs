using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.DurableTask.Client;
using Serverless.Jobs;
using Serverless.Jobs.Progress;
using Serverless.Api;
using Serverless.Jobs.Tenancy;

namespace Serverless.App.Functions;

/// <summary>
/// <c>api/jobs</c>, as `serverless host` serves it, over the shared handlers. StartJob answers with
/// the Functions runtime's own management URLs (<c>runtime/webhooks/durabletask/...</c>). The caller
/// (a tenant's key, the implicit tenant, or the platform admin on the admin routes) is the request's
/// <see cref="CallerIdentity"/> feature, set by <see cref="Security.TenantKeyMiddleware"/>.
/// </summary>
public sealed class JobFunctions(JobSubmission submission, JobManagement management, JobListing listing, UnitProgress units,
    Serverless.Jobs.Reruns.RerunSubmission reruns, Serverless.Jobs.Reruns.JobResults results,
    Serverless.Jobs.Scheduling.SchedulerControl scheduler, Serverless.Jobs.Scheduling.SchedulerView view)
{
    [Function(nameof(StartJob))]
    public async Task<HttpResponseData> StartJob(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "jobs")] HttpRequestData request,
        [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var (body, errors) = await JobsApi.ReadRequestAsync(request.Body, cancellationToken);
        if (body is not null)
        {
            var outcome = await submission.SubmitAsync(client, body, InstanceHandlers.Caller(request.FunctionContext.GetHttpContext()), cancellationToken);
            if (outcome.Refused is { } refused)
                return await ProblemResponses.ProblemAsync(request, (HttpStatusCode)refused.Status, JobsApi.RefusedTitle, refused.Detail!, cancellationToken,
                    new Dictionary<string, object?> { ["rule"] = refused.Rule, ["field"] = refused.Field });
            if (outcome.Conflict is { } conflict)
                return await ProblemResponses.ProblemAsync(request, HttpStatusCode.Conflict, JobsApi.ConflictTitle, conflict, cancellationToken);
            if (outcome.Busy is { } busy)
            {
                var response = await ProblemResponses.ProblemAsync(request, HttpStatusCode.TooManyRequests, JobsApi.BusyTitle, busy, cancellationToken);
                response.Headers.Add("Retry-After", Serverless.Jobs.Scheduling.JobScheduling.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return response;
            }
            if (outcome.JobId is not null)
                return await client.CreateCheckStatusResponseAsync(request, outcome.JobId, cancellationToken);
            errors = JobsApi.Errors(outcome);
        }
        return await ProblemResponses.ValidationAsync(request, errors!, JobsApi.InvalidRequestTitle, cancellationToken);
    }

    [Function(nameof(GetJob))]
    public async Task<IResult> GetJob(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "jobs/{id}")] HttpRequest request, string id,
        [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        await InstanceHandlers.GetAsync(InstanceRoutes.Jobs, id, request, client, units, cancellationToken);

    [Function(nameof(ListJobs))]
    public async Task<IResult> ListJobs(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "jobs")] HttpRequest request,
        [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        await InstanceHandlers.ListAsync(InstanceRoutes.Jobs, request, client, listing, cancellationToken);

    [Function(nameof(TerminateJob))]
    public async Task<IResult> TerminateJob(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "jobs/{id}/terminate")] HttpRequest request, string id,
        [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        await InstanceHandlers.TerminateAsync(id, client, management, request.Query["reason"], cancellationToken, request.HttpContext);

    [Function(nameof(PurgeJob))]
    public async Task<IResult> PurgeJob(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = "jobs/{id}")] HttpRequest request, string id,
        [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        await InstanceHandlers.PurgeAsync(id, client, management, cancellationToken, request.HttpContext);

    /// <summary><c>POST api/jobs/{id}/priority</c>: raise or lower a running job (the shared handler; the master key, or a tenant admin's header).</summary>
    [Function(nameof(SetJobPriority))]
    public async Task<IResult> SetJobPriority(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "jobs/{id}/priority")] HttpRequest request, string id,
        [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        await SchedulerApi.SetPriorityAsync(id, request, client, scheduler, cancellationToken);

    /// <summary><c>GET api/scheduler</c>: who holds and who waits for unit slots (the shared handler).</summary>
    [Function(nameof(Scheduler))]
    public async Task<IResult> Scheduler(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "scheduler")] HttpRequest request,
        [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        await SchedulerApi.GetAsync(request, client, view, cancellationToken);

    /// <summary><c>POST api/jobs/{id}/rerun</c>: a new job over the failed images of an ended job (the shared handler).</summary>
    [Function(nameof(RerunJob))]
    public async Task<IResult> RerunJob(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "jobs/{id}/rerun")] HttpRequest request, string id,
        [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        await RerunApi.RerunAsync(id, request, reruns, client, cancellationToken);

    /// <summary><c>GET api/jobs/{id}/results[?merged=true]</c>: the job's rows as JSON Lines, or the newest per key over its reruns.</summary>
    [Function(nameof(JobResults))]
    public async Task<IResult> JobResults(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "jobs/{id}/results")] HttpRequest request, string id,
        [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        await RerunApi.ResultsAsync(id, request, results, client, cancellationToken);
}
