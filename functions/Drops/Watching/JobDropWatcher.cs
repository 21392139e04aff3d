using System.Collections.Concurrent;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Serverless.Jobs;
using Serverless.Drops;
using Serverless.Storage;

namespace Serverless.Drops.Watching;

/// <summary>
/// Watches a jobs prefix: each version of a <c>*.json</c> job description starts one batch job
/// (<see cref="JobFileStarter"/>), and <c>{key}.status.json</c> is written beside it when the job
/// ends (or at once with the errors when the description is invalid).
/// </summary>
internal sealed class JobDropWatcher
{
    private readonly DropOptions options;
    private readonly DropClaims claims;
    private readonly JobResources resources;
    private readonly DurableTaskClient client;
    private readonly DropSignals signals;
    private readonly ILogger logger;
    private readonly SourceUri uri;
    private readonly VersionTracker tracker = new();
    private readonly JobFileStarter starter;
    private readonly ConcurrentDictionary<ObjectVersion, DropReceipt> running = new();
    private readonly SemaphoreSlim scanNow = new(0);

    public JobDropWatcher(string location, DropOptions options, DropClaims claims, JobResources resources,
        JobSubmission submission, DurableTaskClient client, DropSignals signals, ILogger logger)
    {
        this.options = options;
        this.claims = claims;
        this.resources = resources;
        this.client = client;
        this.signals = signals;
        this.logger = logger;
        uri = SourceUri.Parse(location);
        starter = new JobFileStarter(location, claims, resources, submission, tracker, logger);
    }

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
        // A full listing forgets the remembered versions no longer listed (bounded memory).
        var complete = false;
        tracker.BeginListing();
        try
        {
            await ListAndStartAsync(lister, ct).ConfigureAwait(false);
            complete = true;
        }
        finally
        {
            tracker.EndListing(complete);
        }
    }

    private async Task ListAndStartAsync(IVersionLister lister, CancellationToken ct)
    {
        await foreach (var page in lister.ListPagesAsync(options.ListPageSize, ct).ConfigureAwait(false))
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var version in page.Where(v => DropNames.IsJobFile(v.Key) && tracker.ShouldLook(v, now) && !running.ContainsKey(v)))
            {
                var claim = await claims.TryClaimAsync(Location, version, CancellationToken.None).ConfigureAwait(false);
                if (claim.Outcome == ClaimOutcome.Claimed && await starter.StartAsync(client, claim.Receipt!).ConfigureAwait(false) is { } started)
                    running[version] = started;
                else if (claim.Outcome == ClaimOutcome.Settled && claim.Receipt!.Status == ReceiptStatus.Running)
                    running[version] = claim.Receipt;
                else if (claim.Outcome == ClaimOutcome.Settled)
                    tracker.Settle(version);
                else
                    tracker.Defer(version, claim.RetryAfter);
            }
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
            await starter.WriteStatusAsync(receipt.Key, status).ConfigureAwait(false);
            var done = await claims.CompleteAsync(receipt, null, CancellationToken.None).ConfigureAwait(false);
            // Lost fence: another worker finished it first; either way it is settled.
            running.TryRemove(version, out _);
            tracker.Settle(version);
            if (done is not null)
                logger.LogInformation("Job {JobId} from {Key} ended {Status}", receipt.JobId, receipt.Key, metadata?.RuntimeStatus);
        }
    }
}
