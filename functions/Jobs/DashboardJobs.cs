using System.Text.Json;
using Microsoft.DurableTask.Client;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Progress;

namespace Serverless.Jobs;

/// <summary>
/// The dashboard's list of jobs, newest first, filtered by state, in numbered pages over the one
/// <see cref="JobListing"/>; only the page's jobs are read again with their inputs (source and model).
/// A job stores its model by its name in the models root; jobs stored before that kept a full path,
/// which the list names relative to the root too, never by the host's path.
/// </summary>
public sealed class DashboardJobs(JobListing listing, UnitProgress units, ModelsRoot modelsRoot, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = BatchJson.Options;

    /// <summary>Page <paramref name="page"/> (from 0) of <paramref name="pageSize"/> jobs in <paramref name="states"/> (all when empty), newest first.</summary>
    /// <param name="canSee">Which tenants' jobs the caller sees (null: all).</param>
    /// <param name="tenant">Only this tenant's jobs (null or empty: every tenant the caller sees).</param>
    public async Task<DashboardJobList> ListAsync(DurableTaskClient client, IReadOnlyCollection<OrchestrationRuntimeStatus> states, int page, int pageSize,
        Func<string?, bool>? canSee, string? tenant, CancellationToken cancellationToken)
    {
        var query = new JobQuery { Statuses = states, CanSee = canSee, Tenant = tenant };
        var (jobs, hasMore) = await listing.PageAsync(client, query, page, pageSize, cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        var rows = await Task.WhenAll(jobs.Select(j => RowAsync(client, j, now, cancellationToken))).ConfigureAwait(false);
        return new DashboardJobList(rows, page, pageSize, hasMore);
    }

    private async Task<DashboardJob> RowAsync(DurableTaskClient client, OrchestrationMetadata job, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var status = JobStatusResponse.From(await client.GetInstanceAsync(job.InstanceId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false) ?? job, withInput: true);
        status = await LiveProgress.AddRunningPagesAsync(client, units, status, cancellationToken).ConfigureAwait(false);
        var progress = status.CustomStatus is { ValueKind: JsonValueKind.Object } custom ? custom.Deserialize<JobProgress>(Json) : null;
        var spec = status.Input is { ValueKind: JsonValueKind.Object } input && input.TryGetProperty("spec", out var s) ? s.Deserialize<JobSpec>(Json) : null;
        var ended = status.RuntimeStatus is nameof(OrchestrationRuntimeStatus.Completed) or nameof(OrchestrationRuntimeStatus.Failed) or nameof(OrchestrationRuntimeStatus.Terminated);
        var until = ended ? new DateTimeOffset(status.LastUpdatedTime, TimeSpan.Zero) : now;
        var started = progress?.StartedAt ?? status.CreatedTime;
        return new DashboardJob(status.InstanceId, status.RuntimeStatus, spec?.Source, spec?.Model is { } model ? modelsRoot.NameOf(model) : null, progress?.Phase,
            progress?.Done ?? 0, progress?.Failed ?? 0, progress?.Total, progress?.ImagesPerSecond ?? 0, ended ? null : progress?.EtaSeconds,
            started, status.LastUpdatedTime, Math.Round(Math.Max(0, (until - new DateTimeOffset(started, TimeSpan.Zero)).TotalSeconds), 1), spec?.Tenant)
        {
            // The scheduler's applied priority while it runs; the submitted one otherwise (a job run without the scheduler, an old job).
            Priority = progress?.Priority ?? spec?.Priority,
            Waiting = ended ? null : progress?.Waiting,
        };
    }
}

/// <summary>One job of the dashboard's list (<see cref="CreatedTime"/>: when the job started; <see cref="Tenant"/>: null for a job of no tenant).</summary>
public sealed record DashboardJob(
    string Id, string State, string? Source, string? Model, string? Phase,
    long Done, long Failed, long? Total, double ImagesPerSecond, double? EtaSeconds,
    DateTime CreatedTime, DateTime LastUpdatedTime, double DurationSeconds, string? Tenant)
{
    /// <summary>The job's priority (<c>high</c>, <c>normal</c>, <c>low</c>): as the scheduler applies it while the job runs, else as submitted.</summary>
    public string? Priority { get; init; }

    /// <summary>Why the job or one of its pages waits (its tenant's quota, slots held by other work); null when it does not, and once it ended.</summary>
    public string? Waiting { get; init; }
}

/// <summary>A page of the dashboard's list: newest first; <see cref="HasMore"/> when an older page exists.</summary>
public sealed record DashboardJobList(IReadOnlyList<DashboardJob> Jobs, int Page, int PageSize, bool HasMore);
