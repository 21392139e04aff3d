using System.Runtime.CompilerServices;
using Microsoft.DurableTask.Client;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Merge;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Jobs.Reruns;

/// <summary>
/// A job's rows as JSON Lines, whatever format it wrote (<c>GET api/jobs/{id}/results</c>), or with
/// <c>merged</c> the combined view of the job and its reruns: the chain is followed through each
/// summary.json's <c>reruns</c> (and theirs), and each key's row is the one of the newest job of the
/// chain that has it. Memory holds the reruns' rows (failed images only), never the parent's: its rows
/// are streamed, each replaced by its newest rerun's.
/// </summary>
public sealed class JobResults(JobResources resources)
{
    /// <summary>The outcome: a problem (404 unknown, 409 no results yet, 400 unreadable) or the rows to stream.</summary>
    public sealed record Outcome(int Status, string? Title, string? Detail, IAsyncEnumerable<PredictionRow>? Rows);

    /// <summary>Finds job <paramref name="id"/>'s results; the rows are read as they are enumerated.</summary>
    public async Task<Outcome> OpenAsync(DurableTaskClient client, string id, bool merged, CancellationToken cancellationToken)
    {
        var metadata = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        var spec = JobSpecs.Of(metadata);
        if (metadata is null || spec is null || PageIds.TryParse(id, out _, out _))
            return new Outcome(404, "No such job.", $"No job with id '{id}'.", null);
        var store = resources.Results(spec.Output);
        var summary = await RerunSubmission.SummaryOfAsync(store, id, cancellationToken).ConfigureAwait(false);
        if (summary is null)
            return metadata.IsCompleted
                ? new Outcome(400, "The job wrote no predictions.", $"Job '{id}' is {metadata.RuntimeStatus} and wrote no predictions to {spec.Output}.", null)
                : new Outcome(409, "The job has no results yet.", $"Job '{id}' is {metadata.RuntimeStatus}.", null);
        try
        {
            await PredictionsReader.FilesAsync(store, cancellationToken).ConfigureAwait(false);
        }
        catch (JobConfigurationException e)
        {
            return new Outcome(400, "The job's predictions cannot be read.", e.Message, null);
        }
        return new Outcome(200, null, null, merged ? MergedAsync(store, summary, cancellationToken) : PredictionsReader.ReadAsync(store, cancellationToken));
    }

    /// <summary>
    /// The job's links for its dashboard page: the job it reruns (from its spec) and its reruns (from its
    /// summary.json, empty until it has one); null for an unknown job.
    /// </summary>
    public async Task<RerunLinks?> LinksAsync(DurableTaskClient client, string id, CancellationToken cancellationToken)
    {
        if (!JobRequestValidator.IsJobId(id) || PageIds.TryParse(id, out _, out _))
            return null;
        var metadata = await client.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        if (metadata is null || metadata.Name != ActivityNames.BatchJob || JobSpecs.Of(metadata) is not { } spec)
            return null;
        var summary = await RerunSubmission.SummaryOfAsync(resources.Results(spec.Output), id, cancellationToken).ConfigureAwait(false);
        return new RerunLinks(spec.ParentJob, summary?.Reruns ?? []);
    }

    private async IAsyncEnumerable<PredictionRow> MergedAsync(IResultStore root, JobSummary summary, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reruns = await ChainAsync(summary, cancellationToken).ConfigureAwait(false);
        var newest = new Dictionary<string, PredictionRow>(StringComparer.Ordinal);
        foreach (var (_, store) in reruns.OrderBy(r => r.Summary.StartedAt ?? r.Summary.FinishedAt))
            await foreach (var row in PredictionsReader.ReadAsync(store, cancellationToken).ConfigureAwait(false))
                newest[row.Key] = row;
        await foreach (var row in PredictionsReader.ReadAsync(root, cancellationToken).ConfigureAwait(false))
            yield return newest.Remove(row.Key, out var later) ? later : row;
        foreach (var row in newest.Values)
            yield return row;
    }

    /// <summary>The ended reruns of the job and of its reruns, each once (a rerun without a summary of its own has not ended: left out).</summary>
    private async Task<List<(JobSummary Summary, IResultStore Store)>> ChainAsync(JobSummary root, CancellationToken cancellationToken)
    {
        var found = new List<(JobSummary, IResultStore)>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { root.JobId ?? "" };
        var queue = new Queue<JobSummary>([root]);
        while (queue.TryDequeue(out var job))
        {
            foreach (var link in job.Reruns ?? [])
            {
                if (!seen.Add(link.JobId))
                    continue;
                var store = resources.Results(link.Output);
                if (await RerunSubmission.SummaryOfAsync(store, link.JobId, cancellationToken).ConfigureAwait(false) is not { } rerun)
                    continue;
                found.Add((rerun, store));
                queue.Enqueue(rerun);
            }
        }
        return found;
    }
}

/// <summary>A job's place in its rerun chain: the job it reruns (null for none) and its own reruns, oldest first.</summary>
public sealed record RerunLinks(string? ParentJob, IReadOnlyList<RerunLink> Reruns);
