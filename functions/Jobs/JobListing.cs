using System.Runtime.CompilerServices;
using Microsoft.DurableTask.Client;

namespace Serverless.Jobs;

/// <summary>
/// The one job lister, behind <c>api/jobs</c>, the Durable Functions list route and the dashboard:
/// jobs newest first from the <see cref="JobIndex"/> (never a page sub-orchestration), filtered by
/// <see cref="JobQuery"/>, in full pages (<c>top</c> jobs) while such jobs remain. Each job's status
/// is read without its input or output unless asked (an input grows with its job: a list of a
/// hundred must not read a hundred of them by default).
/// </summary>
public sealed class JobListing(JobIndex index)
{
    private const int Parallel = 8;

    /// <summary>
    /// The index is written just before the instance is scheduled, so a job's created time is a moment
    /// after its index time: the index is read from this much earlier than <see cref="JobQuery.CreatedFrom"/>.
    /// </summary>
    private static readonly TimeSpan SubmitToCreated = TimeSpan.FromMinutes(1);

    /// <returns>The jobs, and the token of the next page: null when the index has no job after them.</returns>
    public async Task<(IReadOnlyList<JobStatusResponse> Jobs, string? ContinuationToken)> ListAsync(
        DurableTaskClient client, JobQuery query, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Top, 1);
        var jobs = new List<JobStatusResponse>(Math.Min(query.Top, 1000));
        string? last = null;
        await foreach (var (job, token, tenant) in MatchingAsync(client, query, cancellationToken).ConfigureAwait(false))
        {
            jobs.Add(JobStatusResponse.From(job, query.WithInputs) with { Tenant = tenant });
            last = token;
            if (jobs.Count == query.Top)
                break;
        }
        if (jobs.Count < query.Top)
            return (jobs, null);
        // A full page: a next one when the index goes on after its last job.
        var more = await index.NewestFirstAsync(last, IndexFrom(query), query.CreatedTo, cancellationToken)
            .AnyAsync(row => Matches(row, query), cancellationToken).ConfigureAwait(false);
        return (jobs, more ? last : null);
    }

    /// <summary>Page <paramref name="page"/> (from 0) of <paramref name="pageSize"/> jobs; whether an older page exists.</summary>
    public async Task<(IReadOnlyList<OrchestrationMetadata> Jobs, bool HasMore)> PageAsync(
        DurableTaskClient client, JobQuery query, int page, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(page);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        // One more than the page tells whether an older page exists.
        var jobs = await MatchingAsync(client, query, cancellationToken).Skip(page * pageSize).Take(pageSize + 1)
            .Select(m => m.Job).ToListAsync(cancellationToken).ConfigureAwait(false);
        return (jobs.Take(pageSize).ToList(), jobs.Count > pageSize);
    }

    /// <summary>The jobs that match, newest first, each with the token to go on after it; statuses read a few at once.</summary>
    private async IAsyncEnumerable<(OrchestrationMetadata Job, string Token, string? Tenant)> MatchingAsync(
        DurableTaskClient client, JobQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batch = new List<(string JobId, string Token, string? Tenant)>(Parallel);
        await foreach (var row in index.NewestFirstAsync(query.ContinuationToken, IndexFrom(query), query.CreatedTo, cancellationToken).ConfigureAwait(false))
        {
            if (!Matches(row, query))
                continue;
            batch.Add(row);
            if (batch.Count < Parallel)
                continue;
            foreach (var match in await ReadAsync(client, batch, query, cancellationToken).ConfigureAwait(false))
                yield return match;
            batch.Clear();
        }
        foreach (var match in await ReadAsync(client, batch, query, cancellationToken).ConfigureAwait(false))
            yield return match;
    }

    private static async Task<IEnumerable<(OrchestrationMetadata, string, string?)>> ReadAsync(
        DurableTaskClient client, List<(string JobId, string Token, string? Tenant)> rows, JobQuery query, CancellationToken cancellationToken)
    {
        var found = await Task.WhenAll(rows.Select(r => client.GetInstanceAsync(r.JobId, query.WithInputs, cancellationToken))).ConfigureAwait(false);
        // No instance: purged by another client, or indexed but never started. Another status or time: not asked for.
        return found.Select((job, i) => (job, rows[i].Token, rows[i].Tenant)).Where(r => r.job is { } job
                && (query.Statuses is not { Count: > 0 } statuses || statuses.Contains(job.RuntimeStatus))
                && (query.CreatedFrom is not { } from || job.CreatedAt >= from)
                && (query.CreatedTo is not { } to || job.CreatedAt <= to))
            .Select(r => (r.job!, r.Token, r.Tenant)).ToList();
    }

    // The tenant is judged on the index row, before the job's status is read: another tenant's job is never read for a list.
    private static bool Matches((string JobId, string Token, string? Tenant) row, JobQuery query) =>
        (query.InstanceIdPrefix is not { Length: > 0 } prefix || row.JobId.StartsWith(prefix, StringComparison.Ordinal))
        && (query.CanSee is not { } canSee || canSee(row.Tenant))
        && (query.Tenant is not { Length: > 0 } tenant || string.Equals(row.Tenant, tenant, StringComparison.Ordinal));

    private static DateTimeOffset? IndexFrom(JobQuery query) =>
        query.CreatedFrom is { } from && from > DateTimeOffset.MinValue + SubmitToCreated ? from - SubmitToCreated : query.CreatedFrom;
}

/// <summary>
/// What to list: runtime statuses (all when empty), created between <see cref="CreatedFrom"/> and
/// <see cref="CreatedTo"/> (a job that continued as new is found by the time it was submitted), ids
/// starting with <see cref="InstanceIdPrefix"/>, of the tenants the caller sees, <see cref="Top"/> a page, after a continuation token.
/// </summary>
public sealed record JobQuery
{
    public IReadOnlyCollection<OrchestrationRuntimeStatus>? Statuses { get; init; }
    public DateTimeOffset? CreatedFrom { get; init; }
    public DateTimeOffset? CreatedTo { get; init; }
    public string? InstanceIdPrefix { get; init; }
    public int Top { get; init; } = 100;
    public string? ContinuationToken { get; init; }

    /// <summary>Which tenants' jobs the caller sees (null: all); the others are skipped as if they were not there.</summary>
    public Func<string?, bool>? CanSee { get; init; }

    /// <summary>Only this tenant's jobs (the platform admin's filter); null or empty: every tenant the caller sees.</summary>
    public string? Tenant { get; init; }

    /// <summary>Read each job's input and output too.</summary>
    public bool WithInputs { get; init; }
}
