using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Jobs;
using Serverless.Storage;

namespace Serverless.Drops;

/// <summary>
/// One object version handed in by a blob trigger (the Functions app): claimed through its receipt
/// first, so a version delivered twice is classified once and writes one result, and a job file
/// delivered twice starts one job. The receipts are the self-host's, so both hosts can serve one
/// drop location without doing the work twice.
/// </summary>
public sealed class DropIntake
{
    private readonly DropOptions options;
    private readonly DropClaims claims;
    private readonly JobResources resources;
    private readonly JobSubmission submission;
    private readonly ILogger logger;
    private readonly Lazy<Task> storeReady;

    public DropIntake(IOptions<DropOptions> options, IDropReceiptStore store, JobResources resources, JobSubmission submission, ILogger<DropIntake> logger)
    {
        this.options = options.Value;
        this.resources = resources;
        this.submission = submission;
        this.logger = logger;
        claims = new DropClaims(store, this.options, $"{Environment.MachineName}-{Environment.ProcessId}", TimeProvider.System);
        storeReady = new Lazy<Task>(() => store.InitializeAsync());
    }

    /// <summary>Classifies a dropped image version and writes its result; what became of it.</summary>
    public async Task<DropOutcome> ClassifyAsync(string container, string key, string etag, CancellationToken cancellationToken)
    {
        var location = LocationOf(container, key, options.Locations.Select(l => l.Source))
            ?? throw new InvalidOperationException($"no drops location in host.json covers azblob://{container}/{key}");
        var settings = options.Locations.First(l => SameLocation(l.Source, location));
        var claim = await ClaimAsync(location, key, etag, cancellationToken).ConfigureAwait(false);
        if (claim.Outcome != ClaimOutcome.Claimed)
            return Skipped(claim, key, etag);
        var settlement = new OneVersionSettlement();
        var processor = new DropBatchProcessor(settings, options, claims, resources, settlement, logger);
        await (await processor.ProcessAsync([claim.Receipt!]).ConfigureAwait(false)).ConfigureAwait(false);
        return settlement.Outcome;
    }

    /// <summary>Starts the job a dropped job file describes (once per version).</summary>
    public async Task<DropOutcome> StartJobAsync(DurableTaskClient client, string container, string key, string etag, CancellationToken cancellationToken)
    {
        var location = LocationOf(container, key, options.Jobs)
            ?? throw new InvalidOperationException($"no drops jobs prefix in host.json covers azblob://{container}/{key}");
        if (!DropNames.IsJobFile(key))
            return DropOutcome.Ignored;
        var claim = await ClaimAsync(location, key, etag, cancellationToken).ConfigureAwait(false);
        if (claim.Outcome != ClaimOutcome.Claimed)
            return Skipped(claim, key, etag);
        var settlement = new OneVersionSettlement();
        var started = await new JobFileStarter(location, claims, resources, submission, settlement, logger).StartAsync(client, claim.Receipt!).ConfigureAwait(false);
        return started is not null ? DropOutcome.Done : settlement.Outcome;
    }

    private async Task<ClaimResult> ClaimAsync(string location, string key, string etag, CancellationToken cancellationToken)
    {
        await storeReady.Value.ConfigureAwait(false);
        return await claims.TryClaimAsync(location, new ObjectVersion(key, VersionListerFactory.Normalize(etag)), cancellationToken).ConfigureAwait(false);
    }

    private DropOutcome Skipped(ClaimResult claim, string key, string etag)
    {
        logger.LogInformation("Drop {Key} ({ETag}) not processed again: {Outcome} ({Status})", key, etag, claim.Outcome, claim.Receipt?.Status);
        return claim.Outcome == ClaimOutcome.Settled ? DropOutcome.AlreadySettled : DropOutcome.Busy;
    }

    /// <summary>The configured location (azblob://container/prefix) that a blob falls under, longest prefix first.</summary>
    private static string? LocationOf(string container, string key, IEnumerable<string> locations) =>
        locations.Select(SourceUri.Parse)
            .Where(l => l.Kind == StorageKind.AzureBlob && l.Container == container && key.StartsWith(l.Prefix, StringComparison.Ordinal))
            .OrderByDescending(l => l.Prefix.Length)
            .Select(l => l.ToString())
            .FirstOrDefault();

    private static bool SameLocation(string configured, string location) => SourceUri.Parse(configured).ToString() == location;

    /// <summary>Remembers what the processor did with the one version it was given.</summary>
    private sealed class OneVersionSettlement : IDropSettlement
    {
        public DropOutcome Outcome { get; private set; } = DropOutcome.Busy;

        public void Settle(ObjectVersion version) => Outcome = DropOutcome.Done;

        public void Defer(ObjectVersion version, DateTimeOffset until) => Outcome = DropOutcome.Retry;
    }
}

/// <summary>What became of a version handed to <see cref="DropIntake"/>.</summary>
public enum DropOutcome
{
    /// <summary>Processed now: classified and written (or settled: deleted, replaced, poison), or its job started.</summary>
    Done,

    /// <summary>Processed before (or poison): delivered again, nothing done.</summary>
    AlreadySettled,

    /// <summary>Another worker holds a live claim on it; that one finishes it.</summary>
    Busy,

    /// <summary>This attempt failed and was counted; the version should be delivered again.</summary>
    Retry,

    /// <summary>Not a file this location processes (a status file we wrote beside a job file).</summary>
    Ignored,
}
