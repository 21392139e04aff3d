using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Serverless.Jobs;
using Serverless.BatchInference.Contracts;
using Serverless.Storage;

namespace Serverless.Drops;

/// <summary>
/// Turns a claimed job file into one batch job: reads the JSON job description, submits it under an
/// id derived from key and ETag (the same file dropped or delivered again starts nothing new), and
/// marks the receipt running. An invalid description gets <c>{key}.status.json</c> with its errors
/// at once; a failed read or submission is counted in the receipt and tried again.
/// </summary>
public sealed class JobFileStarter(string location, DropClaims claims, JobResources resources, JobSubmission submission, IDropSettlement settlement, ILogger logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { AllowTrailingCommas = true, WriteIndented = true };
    private readonly SourceUri uri = SourceUri.Parse(location);

    /// <summary>A job file is a job request: the same 1 MiB as the body of POST /api/jobs.</summary>
    public const long MaxJobFileBytes = 1024 * 1024;

    /// <summary>Starts the job; the receipt marked running, or null when the file was rejected, the attempt failed, or the claim was lost.</summary>
    public async Task<DropReceipt?> StartAsync(DurableTaskClient client, DropReceipt receipt)
    {
        var ct = CancellationToken.None;
        var jobId = DropNames.JobId(receipt.Key, receipt.ObjectETag);
        JobRequest? request;
        try
        {
            var bytes = await resources.Source(location).ReadAllBytesAsync(receipt.Key, MaxJobFileBytes, ct).ConfigureAwait(false);
            request = JsonSerializer.Deserialize<JobRequest>(bytes, Json);
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.TooLarge)
        {
            await RejectAsync(receipt, jobId, new Dictionary<string, string> { ["body"] = $"the job file is larger than {MaxJobFileBytes} bytes, the limit of a job description" }).ConfigureAwait(false);
            return null;
        }
        catch (JsonException ex)
        {
            await RejectAsync(receipt, jobId, new Dictionary<string, string> { ["body"] = $"not a JSON job description: {ex.Message}" }).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex)
        {
            await FailAsync(receipt, $"read failed: {ex.Message}").ConfigureAwait(false);
            return null;
        }
        if (request is null)
        {
            await RejectAsync(receipt, jobId, new Dictionary<string, string> { ["body"] = "the job description is null" }).ConfigureAwait(false);
            return null;
        }

        try
        {
            var outcome = await submission.SubmitAsync(client, request with { Id = jobId }, ct).ConfigureAwait(false);
            if (outcome.JobId is null)
            {
                await RejectAsync(receipt, jobId, outcome.Errors).ConfigureAwait(false);
                return null;
            }
            logger.LogInformation("Job file {Key} started job {JobId}{Existing}", receipt.Key, jobId, outcome.AlreadyExisted ? " (already existed)" : "");
            return await claims.MarkRunningAsync(receipt, jobId, ct).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await FailAsync(receipt, $"submission failed: {ex.Message}").ConfigureAwait(false);
            return null;
        }
    }

    private async Task RejectAsync(DropReceipt receipt, string jobId, IReadOnlyDictionary<string, string> errors)
    {
        logger.LogWarning("Job file {Key} is invalid: {Errors}", receipt.Key, string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}")));
        await WriteStatusAsync(receipt.Key, new { instanceId = jobId, runtimeStatus = "Rejected", errors }).ConfigureAwait(false);
        await claims.CompleteAsync(receipt, "invalid job description", CancellationToken.None).ConfigureAwait(false);
        settlement.Settle(receipt.Object);
    }

    private async Task FailAsync(DropReceipt receipt, string reason)
    {
        var stored = await claims.FailAsync(receipt, reason, CancellationToken.None).ConfigureAwait(false);
        if (stored?.Status == ReceiptStatus.Poison)
            settlement.Settle(receipt.Object);
        else
            settlement.Defer(receipt.Object, stored?.ClaimedUntil ?? DateTimeOffset.UtcNow);
    }

    /// <summary>Writes <c>{key}.status.json</c> beside the job file.</summary>
    public Task WriteStatusAsync(string key, object status) =>
        resources.Results(location).WriteAsync(DropNames.JobStatus(uri, key), JsonSerializer.SerializeToUtf8Bytes(status, Json));
}
