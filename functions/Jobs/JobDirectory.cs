using System.Text.Json;
using Microsoft.DurableTask.Client;
using Serverless.BatchInference.Contracts;

namespace Serverless.Jobs;

/// <summary>
/// The dashboard's list of jobs, newest first, filtered by state, in pages. The task hub's
/// instance table is keyed by instance id, not by time, so the newest jobs are found by asking
/// for those created in a growing window (an hour, a day, a week, a month, then all) until the
/// window holds the page asked for; rows are read without their inputs, and only the page's jobs
/// are read again with them (source and model). Pages sort after every job ('~'), so a scan ends
/// at the first one. The order is the instance's created time, that of its current execution: a
/// long job that continued as new sorts as of then; its start shown is the job's own.
/// A job stores its model resolved (a full path on the host); the list shows it relative to the
/// models root, as it was named at submission, never the host's path.
/// </summary>
public sealed class JobDirectory(TimeProvider clock, ModelsRoot? modelsRoot = null)
{
    private static readonly TimeSpan?[] Windows = [TimeSpan.FromHours(1), TimeSpan.FromDays(1), TimeSpan.FromDays(7), TimeSpan.FromDays(31), null];
    private static readonly JsonSerializerOptions Json = BatchJson.Options;

    /// <summary>Page <paramref name="page"/> (from 0) of <paramref name="pageSize"/> jobs in <paramref name="states"/> (all when empty), newest first.</summary>
    public async Task<DashboardJobList> ListAsync(DurableTaskClient client, IReadOnlyCollection<OrchestrationRuntimeStatus> states, int page, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(page);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var needed = (page + 1) * pageSize + 1; // one more tells whether an older page exists
        var now = clock.GetUtcNow();
        List<OrchestrationMetadata> jobs = [];
        foreach (var window in Windows)
        {
            jobs = await ScanAsync(client, states, window is { } w ? now - w : null, cancellationToken).ConfigureAwait(false);
            if (jobs.Count >= needed)
                break;
        }
        var shown = jobs.OrderByDescending(j => j.CreatedAt).ThenBy(j => j.InstanceId, StringComparer.Ordinal).Skip(page * pageSize).Take(pageSize).ToList();
        var rows = await Task.WhenAll(shown.Select(j => RowAsync(client, j, now, cancellationToken))).ConfigureAwait(false);
        return new DashboardJobList(rows, page, pageSize, jobs.Count > (page + 1) * pageSize);
    }

    private static async Task<List<OrchestrationMetadata>> ScanAsync(DurableTaskClient client, IReadOnlyCollection<OrchestrationRuntimeStatus> states, DateTimeOffset? createdFrom, CancellationToken cancellationToken)
    {
        var query = new OrchestrationQuery { Statuses = states.Count > 0 ? states : null, CreatedFrom = createdFrom, PageSize = 500, FetchInputsAndOutputs = false };
        var jobs = new List<OrchestrationMetadata>();
        await foreach (var instance in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (PageIds.IsPage(instance.InstanceId))
                break;
            if (instance.Name == ActivityNames.BatchJob)
                jobs.Add(instance);
        }
        return jobs;
    }

    private async Task<DashboardJob> RowAsync(DurableTaskClient client, OrchestrationMetadata job, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var status = JobStatusResponse.From(await client.GetInstanceAsync(job.InstanceId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false) ?? job, withInput: true);
        status = await LiveProgress.AddRunningPagesAsync(client, status, cancellationToken).ConfigureAwait(false);
        var progress = status.CustomStatus is { ValueKind: JsonValueKind.Object } custom ? custom.Deserialize<JobProgress>(Json) : null;
        var spec = status.Input is { ValueKind: JsonValueKind.Object } input && input.TryGetProperty("spec", out var s) ? s.Deserialize<JobSpec>(Json) : null;
        var ended = status.RuntimeStatus is nameof(OrchestrationRuntimeStatus.Completed) or nameof(OrchestrationRuntimeStatus.Failed) or nameof(OrchestrationRuntimeStatus.Terminated);
        var until = ended ? new DateTimeOffset(status.LastUpdatedTime, TimeSpan.Zero) : now;
        var started = progress?.StartedAt ?? status.CreatedTime;
        return new DashboardJob(status.InstanceId, status.RuntimeStatus, spec?.Source, spec?.Model is { } model ? ModelName(model) : null, progress?.Phase,
            progress?.Done ?? 0, progress?.Failed ?? 0, progress?.Total, progress?.ImagesPerSecond ?? 0, ended ? null : progress?.EtaSeconds,
            started, status.LastUpdatedTime, Math.Round(Math.Max(0, (until - new DateTimeOffset(started, TimeSpan.Zero)).TotalSeconds), 1));
    }

    /// <summary>A stored model path as the dashboard shows it: relative to the models root ('/' separated); a path outside it by its file name only.</summary>
    internal string ModelName(string stored)
    {
        if (modelsRoot is null || !Path.IsPathFullyQualified(stored))
            return stored;
        var relative = Path.GetRelativePath(modelsRoot.Path, stored);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathFullyQualified(relative)
            ? Path.GetFileName(stored)
            : relative.Replace(Path.DirectorySeparatorChar, '/');
    }
}

/// <summary>One job of the dashboard's list (<see cref="CreatedTime"/>: when the job started).</summary>
public sealed record DashboardJob(
    string Id, string State, string? Source, string? Model, string? Phase,
    long Done, long Failed, long? Total, double ImagesPerSecond, double? EtaSeconds,
    DateTime CreatedTime, DateTime LastUpdatedTime, double DurationSeconds);

/// <summary>A page of the dashboard's list: newest first; <see cref="HasMore"/> when an older page exists.</summary>
public sealed record DashboardJobList(IReadOnlyList<DashboardJob> Jobs, int Page, int PageSize, bool HasMore);
