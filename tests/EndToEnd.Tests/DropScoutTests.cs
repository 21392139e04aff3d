using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Drops;
using Serverless.EndToEnd.Tests.Support;
using Serverless.ModelZoo;
using Serverless.Drops.Watching;
using Serverless.Storage;
using Serverless.Storage.Results;
using SkiaSharp;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// The api's drop scout, which wakes workers scaled to zero: a version without a settled receipt
/// puts one message on the drop notification queue (KEDA's trigger), a settled one none, and a
/// queue that already holds a wake-up gets no second one. Real receipts (Azurite), real objects (s3rver).
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class DropScoutTests(JobStack stack)
{
    [Fact]
    public async Task A_waiting_drop_wakes_the_workers_once_and_a_settled_one_does_not()
    {
        const string hub = "DropScoutHub";
        var source = SourceUri.Parse("s3://drops/scout/");
        var store = TableDropReceiptStore.Create(Serverless.Jobs.Configuration.TaskHubAccount.FromConnectionString(stack.Azurite.ConnectionString), hub);
        await store.InitializeAsync();
        var queue = DropNotificationQueue.Create(Serverless.Jobs.Configuration.TaskHubAccount.FromConnectionString(stack.Azurite.ConnectionString), DropNotificationQueue.DefaultName(hub));
        await queue.Client.CreateIfNotExistsAsync();
        var options = new DropOptions
        {
            Locations = [new DropLocationOptions { Source = source.ToString(), Results = "s3://drops/scout-results/", Model = stack.DominantColor }],
            Jobs = ["s3://drops/scout-jobs/"],
        };
        var scout = new DropScout(options, store, queue, stack.Connections, NullLogger.Instance);

        // Nothing dropped yet: no wake-up.
        Assert.Equal(0, await scout.ScanOnceAsync(default));

        await ResultStoreFactory.Create(source.ToString(), stack.Connections)
            .WriteAsync("a.png", SyntheticImages.Encode(SKColors.Red, 32, 32, new Random(1), png: true));
        Assert.Equal(1, await scout.ScanOnceAsync(default));
        var message = Assert.Single((await queue.Client.PeekMessagesAsync(32)).Value);
        // The message is the one the workers' listener reads: it names the object, so the right watcher lists.
        var notified = Assert.Single(DropNotificationParser.Parse(message.Body.ToString()));
        Assert.True(notified.IsUnder(source));

        // The wake-up is still waiting for a worker: no second message for the same backlog.
        Assert.Equal(0, await scout.ScanOnceAsync(default));
        Assert.Single((await queue.Client.PeekMessagesAsync(32)).Value);

        // A worker took the message and settled the version: the scout stays quiet.
        await queue.Client.ClearMessagesAsync();
        var version = new ObjectVersion(notified.Key, (await VersionListerFactory.Create(source, stack.Connections).CurrentETagAsync(notified.Key))!);
        var claims = new DropClaims(store, options, "worker-1", TimeProvider.System);
        var claim = await claims.TryClaimAsync(source.ToString(), version, default);
        Assert.Equal(ClaimOutcome.Claimed, claim.Outcome);
        // Claimed is not settled (its worker may die): still waiting.
        Assert.Equal(1, await scout.ScanOnceAsync(default));
        await queue.Client.ClearMessagesAsync();
        Assert.NotNull(await claims.CompleteAsync(claim.Receipt!, reason: null, default));
        Assert.Equal(0, await scout.ScanOnceAsync(default));
        Assert.Empty((await queue.Client.PeekMessagesAsync(32)).Value);

        // A job file under a jobs prefix wakes them too; a file that is not a job description does not.
        var jobs = ResultStoreFactory.Create("s3://drops/scout-jobs/", stack.Connections);
        await jobs.WriteAsync("notes.txt", "not a job"u8.ToArray());
        Assert.Equal(0, await scout.ScanOnceAsync(default));
        await jobs.WriteAsync("job.json", "{}"u8.ToArray());
        Assert.Equal(1, await scout.ScanOnceAsync(default));
        Assert.EndsWith("job.json", Assert.Single(DropNotificationParser.Parse(Assert.Single((await queue.Client.PeekMessagesAsync(32)).Value).Body.ToString())).Key);
    }
}
