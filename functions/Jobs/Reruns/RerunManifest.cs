using System.Text;
using System.Text.Json;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Merge;
using Serverless.Storage;

namespace Serverless.Jobs.Reruns;

/// <summary>
/// A rerun's manifest (<see cref="JobWorkArea.RerunManifest"/>): its parent's failed rows of the reasons
/// asked, as JSON Lines with their passthrough columns. Written by the rerun's first listing (again if
/// that activity runs again: the parent's predictions do not change), streamed, so its time and memory
/// are the activity's, not the request's.
/// </summary>
public static class RerunManifest
{
    /// <summary>Writes <paramref name="job"/>'s manifest; returns how many images it names.</summary>
    /// <exception cref="JobConfigurationException">The parent's predictions cannot be read, or hold no failed row of those reasons.</exception>
    public static async Task<long> WriteAsync(JobResources resources, JobSpec job, CancellationToken cancellationToken)
    {
        var rerun = job.Rerun ?? throw new InvalidOperationException($"job {job.JobId} is not a rerun");
        var parent = resources.Results(rerun.ParentOutput);
        long count = 0;
        try
        {
            await resources.Results(job.Output).WriteAsync(JobWorkArea.RerunManifest(job.JobId), async (stream, ct) =>
            {
                count = 0;
                await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
                await foreach (var row in PredictionsReader.ReadAsync(parent, ct).ConfigureAwait(false))
                {
                    if (row.ErrorCode is not { } code || (rerun.Reasons.Count > 0 && !rerun.Reasons.Contains(code, StringComparer.Ordinal)))
                        continue;
                    var line = new Dictionary<string, JsonElement>(row.Columns ?? [], StringComparer.Ordinal) { ["key"] = JsonSerializer.SerializeToElement(row.Key) };
                    await writer.WriteLineAsync(JsonSerializer.Serialize(line)).ConfigureAwait(false);
                    count++;
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (!e.IsTransient && e.InnerException is JobConfigurationException inner)
        {
            throw new JobConfigurationException($"the predictions of job {job.ParentJob} cannot be rerun: {inner.Message}", e);
        }
        if (count == 0)
            throw new JobConfigurationException($"the predictions of job {job.ParentJob} in {rerun.ParentOutput} hold no failed rows{(rerun.Reasons.Count > 0 ? " of reason " + string.Join(" or ", rerun.Reasons) : "")}: nothing to rerun");
        return count;
    }
}
