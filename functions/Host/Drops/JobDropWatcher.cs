using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Serverless.BatchInference.Contracts;
using Serverless.Activities;
using Serverless.Activities.Jobs;
using Microsoft.DurableTask.Client;
using Serverless.Storage;

namespace Serverless.Host.Drops;

/// <summary>
/// Watches a jobs prefix: each version of a <c>*.json</c> job description starts one batch job,
/// with an id derived from key and ETag (so the same file dropped again starts nothing), and
/// <c>{key}.status.json</c> is written beside it when the job ends (or at once with the errors
/// when the description is invalid).
/// </summary>
internal sealed class JobDropWatcher(string location, DropOptions options, DropClaims claims, JobResources resources,
    JobSubmission submission, DurableTaskClient client, DropSignals signals, ILogger logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { AllowTrailingCommas = true, WriteIndented = true };
    private readonly SourceUri uri = SourceUri.Parse(location);
    private readonly VersionTracker tracker = new();
    private readonly ConcurrentDictionary<ObjectVersion, DropReceipt> running = new();
    private readonly SemaphoreSlim scanNow = new(0);

    public string Location => uri.ToString();

    public void Poke()
    {
        if (scanNow.CurrentCount == 0)
            scanNow.Release();
    }

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        await foreach (var receipt in claims.Store.ListAsync(Location, stoppingToken).ConfigureAwait(false))
        {
            if (receipt.Status == ReceiptStatus.Running)
                running[receipt.Object] = receipt;
            else if (ReceiptStatus.IsFinal(receipt.Status))
                tracker.Settle(receipt.Object);
        }
        signals.Register(uri, Poke);
        logger.LogInformation("Watching {Location} for job files", Location);
        var lister = VersionListerFactory.Create(uri, resources.Connections);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await ScanAsync(lister, stoppingToken).ConfigureAwait(false);
                    await FinishEndedJobsAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Scanning job files under {Location} failed; trying again", Location);
                }
                await scanNow.WaitAsync(options.PollInterval, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ScanAsync(IVersionLister lister, CancellationToken ct)
    {
        await foreach (var page in lister.ListPagesAsync(options.ListPageSize, ct).ConfigureAwait(false))
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var version in page.Where(v => DropNames.IsJobFile(v.Key) && tracker.ShouldLook(v, now) && !running.ContainsKey(v)))
            {
                var claim = await claims.TryClaimAsync(Location, version, CancellationToken.None).ConfigureAwait(false);
                if (claim.Outcome == ClaimOutcome.Claimed)
                    await StartAsync(claim.Receipt!).ConfigureAwait(false);
                else if (claim.Outcome == ClaimOutcome.Settled && claim.Receipt!.Status == ReceiptStatus.Running)
                    running[version] = claim.Receipt;
                else if (claim.Outcome == ClaimOutcome.Settled)
                    tracker.Settle(version);
                else
                    tracker.Defer(version, claim.RetryAfter);
            }
        }
    }

    private async Task StartAsync(DropReceipt receipt)
    {
        var ct = CancellationToken.None;
        var jobId = DropNames.JobId(receipt.Key, receipt.ObjectETag);
        JobRequest? request;
        try
        {
            var bytes = await resources.Source(Location).ReadAllBytesAsync(receipt.Key, ct).ConfigureAwait(false);
            request = JsonSerializer.Deserialize<JobRequest>(bytes, Json);
        }
        catch (JsonException ex)
        {
            await RejectAsync(receipt, jobId, new Dictionary<string, string> { ["body"] = $"not a JSON job description: {ex.Message}" }).ConfigureAwait(false);
            return;
        }
        catch (Exception ex)
        {
            await FailAsync(receipt, $"read failed: {ex.Message}").ConfigureAwait(false);
            return;
        }
        if (request is null)
        {
            await RejectAsync(receipt, jobId, new Dictionary<string, string> { ["body"] = "the job description is null" }).ConfigureAwait(false);
            return;
        }

        try
        {
            var outcome = await submission.SubmitAsync(request with { Id = jobId }, ct).ConfigureAwait(false);
            if (outcome.JobId is null)
            {
                await RejectAsync(receipt, jobId, outcome.Errors).ConfigureAwait(false);
                return;
            }
            logger.LogInformation("Job file {Key} started job {JobId}{Existing}", receipt.Key, jobId, outcome.AlreadyExisted ? " (already existed)" : "");
            var stored = await claims.MarkRunningAsync(receipt, jobId, ct).ConfigureAwait(false);
            if (stored is not null)
                running[receipt.Object] = stored;
        }
        catch (Exception ex)
        {
            await FailAsync(receipt, $"submission failed: {ex.Message}").ConfigureAwait(false);
        }
    }

    private async Task FinishEndedJobsAsync(CancellationToken ct)
    {
        foreach (var (version, receipt) in running.ToArray())
        {
            var metadata = await client.GetInstanceAsync(receipt.JobId!, getInputsAndOutputs: true, ct).ConfigureAwait(false);
            if (metadata is { IsCompleted: false })
                continue;
            object status = metadata is null
                ? new { instanceId = receipt.JobId, runtimeStatus = "Unknown", detail = "the job no longer exists (purged?)" }
                : JobStatusResponse.From(metadata, withInput: false);
            await WriteStatusAsync(receipt.Key, status).ConfigureAwait(false);
            var done = await claims.CompleteAsync(receipt, null, CancellationToken.None).ConfigureAwait(false);
            // Lost fence: another worker finished it first; either way it is settled.
            running.TryRemove(version, out _);
            tracker.Settle(version);
            if (done is not null)
                logger.LogInformation("Job {JobId} from {Key} ended {Status}", receipt.JobId, receipt.Key, metadata?.RuntimeStatus);
        }
    }

    private async Task RejectAsync(DropReceipt receipt, string jobId, IReadOnlyDictionary<string, string> errors)
    {
        logger.LogWarning("Job file {Key} is invalid: {Errors}", receipt.Key, string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}")));
        await WriteStatusAsync(receipt.Key, new { instanceId = jobId, runtimeStatus = "Rejected", errors }).ConfigureAwait(false);
        await claims.CompleteAsync(receipt, "invalid job description", CancellationToken.None).ConfigureAwait(false);
        tracker.Settle(receipt.Object);
    }

    private async Task FailAsync(DropReceipt receipt, string reason)
    {
        var stored = await claims.FailAsync(receipt, reason, CancellationToken.None).ConfigureAwait(false);
        if (stored?.Status == ReceiptStatus.Poison)
            tracker.Settle(receipt.Object);
        else
            tracker.Defer(receipt.Object, stored?.ClaimedUntil ?? DateTimeOffset.UtcNow);
    }

    private Task WriteStatusAsync(string key, object status) =>
        resources.Results(Location).WriteAsync(DropNames.JobStatus(uri, key), JsonSerializer.SerializeToUtf8Bytes(status, Json));
}
