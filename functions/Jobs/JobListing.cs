using Microsoft.DurableTask.Client;

namespace Serverless.Jobs;

/// <summary>
/// A page of jobs, newest first, from the <see cref="JobIndex"/>: full pages (<c>top</c> jobs, of the
/// given statuses when asked) while such jobs remain, each job's status read without its input or
/// output (an input grows with its job: a list of a hundred must not read a hundred of them).
/// </summary>
public sealed class JobListing(JobIndex index)
{
    private const int Parallel = 8;

    /// <returns>The jobs, and the token of the next page: null when the index has no job after them.</returns>
    public async Task<(IReadOnlyList<JobStatusResponse> Jobs, string? ContinuationToken)> ListAsync(
        DurableTaskClient client, IReadOnlyCollection<OrchestrationRuntimeStatus>? statuses, int top, string? continuationToken, CancellationToken cancellationToken)
    {
        var jobs = new List<JobStatusResponse>(top);
        var batch = new List<(string JobId, string Token)>(Parallel);
        string? fullAt = null;
        await foreach (var row in index.NewestFirstAsync(continuationToken, cancellationToken).ConfigureAwait(false))
        {
            // The page filled at the last row read, and the index goes on: there is a next page.
            if (fullAt is not null)
                return (jobs, fullAt);
            batch.Add(row);
            if (batch.Count < Parallel)
                continue;
            fullAt = await TakeAsync(client, batch, statuses, top, jobs, cancellationToken).ConfigureAwait(false);
            if (fullAt is not null && fullAt != batch[^1].Token)
                return (jobs, fullAt); // rows of this batch remain
            batch.Clear();
        }
        if (fullAt is null && batch.Count > 0)
        {
            fullAt = await TakeAsync(client, batch, statuses, top, jobs, cancellationToken).ConfigureAwait(false);
            if (fullAt is not null && fullAt != batch[^1].Token)
                return (jobs, fullAt);
        }
        return (jobs, null);
    }

    /// <summary>Reads a few statuses at once and adds the matching ones in order; once the page is full, the token to go on after.</summary>
    private static async Task<string?> TakeAsync(DurableTaskClient client, List<(string JobId, string Token)> rows,
        IReadOnlyCollection<OrchestrationRuntimeStatus>? statuses, int top, List<JobStatusResponse> jobs, CancellationToken cancellationToken)
    {
        var found = await Task.WhenAll(rows.Select(r => client.GetInstanceAsync(r.JobId, getInputsAndOutputs: false, cancellationToken))).ConfigureAwait(false);
        for (var i = 0; i < rows.Count; i++)
        {
            // No instance: purged by another client. Another status: not asked for.
            if (found[i] is not { } job || (statuses is { Count: > 0 } && !statuses.Contains(job.RuntimeStatus)))
                continue;
            jobs.Add(JobStatusResponse.From(job, withInput: false));
            if (jobs.Count == top)
                return rows[i].Token;
        }
        return null;
    }
}
