using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Serverless.BatchInference.Contracts;
using Serverless.Inference;
using Serverless.Storage;
using Serverless.Storage.Results;
using Serverless.Jobs;
using Serverless.Jobs.Classification;
using Serverless.Jobs.Merge;
using Serverless.Jobs.Pages;

namespace Serverless.Activities;

/// <summary>
/// The job's second pass over one page: the images whose reads failed (storage retries exhausted)
/// are read and classified once more, now that the rest of the job is done. Their new rows go to the
/// page's heal part, which the merge puts in place of the failed rows; the page's record names it.
/// Returns what changed (read_failed rows that now succeeded or failed otherwise), for the job's counts.
/// Safe to rerun: it starts again from the page's parts.
/// </summary>
public sealed class HealReadFailuresActivity(JobResources resources, ActivityShutdown shutdown, ILogger<HealReadFailuresActivity> logger)
    : TaskActivity<HealPageInput, JobCounts>
{
    /// <inheritdoc/>
    public override async Task<JobCounts> RunAsync(TaskActivityContext context, HealPageInput input)
    {
        var job = input.Job;
        var ct = shutdown.Token;
        var store = resources.Results(job.Output);
        var record = await PageManifests.ReadRecordAsync(store, job.JobId, input.PageIndex, ct).ConfigureAwait(false);
        if (record.ReadFailed == 0)
            return JobCounts.Empty;
        var failed = new List<PredictionRow>();
        foreach (var part in record.Parts)
        {
            var bytes = await PageManifests.ReadOrMissingAsync(store, JobWorkArea.Part(job.JobId, part), $"part {part} of page {input.PageIndex}", ct).ConfigureAwait(false);
            failed.AddRange((await PartRows.ReadAsync(part, bytes, job.Outputs, ct).ConfigureAwait(false))
                .Select(r => r.Row).Where(r => r.ErrorCode == PredictionCodes.ReadFailed));
        }
        if (failed.Count == 0)
            return JobCounts.Empty;
        var source = job.Manifest is null ? resources.Source(job.Source) : new ManifestKeys(resources, job.Source);
        var sha256 = resources.PinnedModelSha256(job);
        using var lease = resources.Classifier(job.Model, job.Preset, job.BatchSize, job.Top, job.Outputs);
        var inputs = failed.Select(r => ImageReads.From(source, r.Key, lease.Classifier.Model.Options.MaxEncodedBytes)).ToArray();
        var rows = (await lease.Classifier.ClassifyAsync(inputs, ct).ConfigureAwait(false)).Select(p => PredictionRows.From(p, sha256)).ToArray();
        var heal = PartNames.ForHeal(input.PageIndex);
        await new ResultWriter(store).WriteRowsAsync(JobWorkArea.Part(job.JobId, heal), rows, ct).ConfigureAwait(false);
        await PageManifests.WriteRecordAsync(store, job.JobId, input.PageIndex, record with { HealPart = heal }, ct).ConfigureAwait(false);
        logger.LogInformation("Second pass over page {Page} of job {JobId}: {Healed} of {Failed} failed reads classified",
            input.PageIndex, job.JobId, rows.Count(r => !r.Failed), rows.Length);
        // The change: the old rows out (all read_failed), the new rows in.
        var delta = PredictionRows.Count(rows, 0);
        var before = PredictionRows.Count(failed, 0);
        return delta with
        {
            Images = 0,
            Failed = delta.Failed - before.Failed,
            FailuresByReason = Subtract(delta.FailuresByReason, before.FailuresByReason),
        };
    }

    private static Dictionary<string, long> Subtract(Dictionary<string, long> a, Dictionary<string, long> b)
    {
        var result = new Dictionary<string, long>(a, StringComparer.Ordinal);
        foreach (var (key, value) in b)
            result[key] = result.GetValueOrDefault(key) - value;
        return result;
    }
}
