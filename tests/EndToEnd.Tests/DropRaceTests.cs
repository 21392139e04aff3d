using Serverless.Drops;
using Serverless.EndToEnd.Tests.Support;
using Serverless.ModelZoo;
using Serverless.Drops.Watching;
using Serverless.Storage;
using Serverless.Storage.Results;
using Serverless.Storage.S3;
using SkiaSharp;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// Two versions of one key written by two workers, in the order that used to leave the older
/// version's result under the key: the real receipts (Azurite table), the real object and result
/// stores (s3rver), the workers' claims and writers driven step by step.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class DropRaceTests(JobStack stack)
{
    private const string Key = "k.png";

    [Fact]
    public async Task An_older_version_whose_result_lands_last_gives_the_key_back_to_the_newest_version()
    {
        var race = await RaceAsync("DropRaceLate", "s3://drops/race-late/", TimeSpan.FromMinutes(2));

        // The newer version's worker is quicker: its result is written and its receipt done first.
        var newer = Assert.Single(await race.Writer("b").WriteAsync([(race.Newer, Result(race.Newer, "blue"))], default));
        Assert.Null(newer.Stored!.Reason);
        Assert.Equal("blue", (await ReadResultAsync(race)).Top[0].Label);

        // The older version's result lands last, over it, and its writer notices.
        var older = Assert.Single(await race.Writer("a").WriteAsync([(race.Older, Result(race.Older, "red"))], default));
        Assert.Equal(ReceiptStatus.Done, older.Stored!.Status);
        Assert.Contains("written back", older.Stored.Reason);

        var final = await ReadResultAsync(race);
        Assert.Equal(race.Newer.ObjectETag, final.ETag);
        Assert.Equal(race.Newer.ClaimId, final.ClaimId);
        Assert.Equal("blue", final.Top[0].Label);
        // Each version was classified and counted once; nothing was skipped.
        Assert.Equal(1, newer.Stored.Writes);
        Assert.Equal(1, older.Stored.Writes);
    }

    [Fact]
    public async Task With_key_fences_the_newest_version_skips_the_etag_read_and_the_older_one_late_still_gives_the_key_back()
    {
        var race = await RaceAsync("DropRaceFenced", "s3://drops/race-fenced/", TimeSpan.FromMinutes(2), fenced: true);
        Assert.NotNull(race.Older.KeyFence);
        Assert.NotNull(race.Newer.KeyFence);

        // No version of the key was claimed after the newer one: done without reading the object's ETag.
        var newer = Assert.Single(await race.Writer("b").WriteAsync([(race.Newer, Result(race.Newer, "blue"))], default));
        Assert.Equal(ReceiptStatus.Done, newer.Stored!.Status);
        Assert.Null(newer.Stored.Reason);
        Assert.Equal(0, race.Lister.ETagReads);

        // The older version was claimed before the newer one: its fence fails, it reads, and gives the key back.
        var older = Assert.Single(await race.Writer("a").WriteAsync([(race.Older, Result(race.Older, "red"))], default));
        Assert.Equal(ReceiptStatus.Done, older.Stored!.Status);
        Assert.Contains("written back", older.Stored.Reason);
        Assert.True(race.Lister.ETagReads > 0);
        var final = await ReadResultAsync(race);
        Assert.Equal(race.Newer.ObjectETag, final.ETag);
        Assert.Equal("blue", final.Top[0].Label);
        Assert.Equal(2, await CountReceiptsAsync(race)); // the key row is not listed as a receipt
    }

    [Fact]
    public async Task A_newest_version_that_ends_as_poison_gets_its_failure_as_the_keys_result_even_when_an_older_one_lands_later()
    {
        var race = await RaceAsync("DropRacePoison", "s3://drops/race-poison/", TimeSpan.FromMinutes(2), maxAttempts: 1);

        // The newer version fails on its only attempt: poison, and the key's result says so.
        var poison = await race.Claims("b").FailAsync(race.Newer, "classification failed: model not found", default);
        Assert.Equal(ReceiptStatus.Poison, poison!.Status);
        Assert.NotNull(await race.Writer("b").WritePoisonAsync(poison, "dominant-color.onnx", default));
        var written = await ReadResultAsync(race);
        Assert.Equal((race.Newer.ObjectETag, DropResultWriter.PoisonErrorCode), (written.ETag, written.ErrorCode));

        // The older version's result lands after it, and gives the key back to the poison version's result.
        var older = Assert.Single(await race.Writer("a").WriteAsync([(race.Older, Result(race.Older, "red"))], default));
        Assert.Contains("written back", older.Stored!.Reason);
        var final = await ReadResultAsync(race);
        Assert.Equal(race.Newer.ObjectETag, final.ETag);
        Assert.Equal(DropResultWriter.PoisonErrorCode, final.ErrorCode);
        Assert.Contains("model not found", final.ErrorMessage);
        Assert.Empty(final.Top);
    }

    [Fact]
    public async Task A_poison_version_whose_own_result_write_had_begun_keeps_that_result()
    {
        var race = await RaceAsync("DropRacePoisonWritten", "s3://drops/race-poison-written/", TimeSpan.FromMinutes(2), maxAttempts: 1);
        var json = Result(race.Newer, "blue").ToJson();
        var begun = Assert.Single(await race.Claims("b").BeginWritesAsync([(race.Newer, json)], default));
        await race.Results.WriteAsync(DropNames.Result(race.Source, race.Newer.Key), json);

        // Completing failed (say): the version is poison, but its classification may have landed, and did.
        var poison = await race.Claims("b").FailAsync(begun!, "result write failed: timeout", default);
        Assert.Equal(ReceiptStatus.Poison, poison!.Status);

        Assert.Null(await race.Writer("b").WritePoisonAsync(poison, "dominant-color.onnx", default));
        Assert.Equal("blue", (await ReadResultAsync(race)).Top[0].Label);
    }

    [Fact]
    public async Task The_claimant_that_finds_a_dead_claim_on_its_last_attempt_makes_it_poison_and_is_told_so()
    {
        var race = await RaceAsync("DropRaceDeadLast", "s3://drops/race-dead-last/", TimeSpan.Zero, maxAttempts: 1);

        var retake = await race.Claims("c").TryClaimAllAsync(race.Source.ToString(), [race.Older.Object], 1, default);

        Assert.Equal(ClaimOutcome.Settled, retake[0].Outcome);
        Assert.True(retake[0].PoisonedNow);
        Assert.Equal(ReceiptStatus.Poison, retake[0].Receipt!.Status);
        // Asked again, the receipt is just settled: its poison result is written once, by the claimant that made it.
        var again = await race.Claims("d").TryClaimAsync(race.Source.ToString(), race.Older.Object, default);
        Assert.Equal(ClaimOutcome.Settled, again.Outcome);
        Assert.False(again.PoisonedNow);
    }

    [Fact]
    public async Task A_version_replaced_or_deleted_since_its_listing_is_told_from_the_current_one()
    {
        var race = await RaceAsync("DropRaceReplaced", "s3://drops/race-replaced/", TimeSpan.FromMinutes(2));
        var checks = new DropVersionChecks(race.Source, race.Lister, race.Results);

        Assert.True(await checks.IsReplacedAsync(race.Older, default));
        Assert.False(await checks.IsReplacedAsync(race.Newer, default));
        await S3ClientCache.GetWithSdkRetries(stack.Connections.S3).DeleteObjectAsync(race.Source.Container, race.Source.Prefix + Key);
        Assert.True(await checks.IsReplacedAsync(race.Newer, default));
    }

    [Fact]
    public async Task A_writer_that_died_after_its_older_result_landed_is_checked_by_the_claim_that_retakes_it()
    {
        // Claims expire at once, so the dead worker's claim is retaken without waiting.
        var race = await RaceAsync("DropRaceCrash", "s3://drops/race-crash/", TimeSpan.Zero);
        await race.Writer("b").WriteAsync([(race.Newer, Result(race.Newer, "blue"))], default);

        // Worker a counts its write and its result lands over the newer one; then it dies.
        var json = Result(race.Older, "red").ToJson();
        var begun = Assert.Single(await race.Claims("a").BeginWritesAsync([(race.Older, json)], default));
        Assert.NotNull(begun);
        await race.Results.WriteAsync(DropNames.Result(race.Source, race.Older.Key), json);
        Assert.Equal("red", (await ReadResultAsync(race)).Top[0].Label);

        // Worker c retakes the version, finds its predecessor's write landed, and checks before completing.
        var retaken = await race.Claims("c").TryClaimAsync(race.Source.ToString(), race.Older.Object, default);
        Assert.Equal(ClaimOutcome.Claimed, retaken.Outcome);
        Assert.Equal(race.Older.ClaimId, retaken.Receipt!.PreviousClaimId);
        // Worker c dies too before it writes anything: the next retake still names the claim that wrote.
        var again = await race.Claims("d").TryClaimAsync(race.Source.ToString(), race.Older.Object, default);
        Assert.Equal(ClaimOutcome.Claimed, again.Outcome);
        Assert.Equal(race.Older.ClaimId, again.Receipt!.PreviousClaimId);
        var done = await race.Writer("d").CompleteLandedAsync(again.Receipt, default);

        Assert.Equal(ReceiptStatus.Done, done!.Status);
        Assert.Equal(1, done.Writes); // not classified again
        var final = await ReadResultAsync(race);
        Assert.Equal(race.Newer.ObjectETag, final.ETag);
        Assert.Equal("blue", final.Top[0].Label);
    }

    /// <summary>Drops two versions of one key; worker a claims the first before the second is stored, worker b the second.</summary>
    /// <summary>With <paramref name="fenced"/>, the claims are made as the watcher makes them, each marked its key's latest.</summary>
    private async Task<Race> RaceAsync(string hub, string source, TimeSpan claimTimeout, bool fenced = false, int maxAttempts = 5)
    {
        IDropReceiptStore store = TableDropReceiptStore.Create(Serverless.Jobs.Configuration.TaskHubAccount.FromConnectionString(stack.Azurite.ConnectionString), hub);
        await store.InitializeAsync();
        var race = new Race(store, SourceUri.Parse(source), ResultStoreFactory.Create(source + "out/", stack.Connections),
            new CountingLister(VersionListerFactory.Create(SourceUri.Parse(source), stack.Connections)), new DropOptions { ClaimTimeout = claimTimeout, MaxAttempts = maxAttempts });
        async Task<ClaimResult> ClaimAsync(string worker, ObjectVersion version) => fenced
            ? (await race.Claims(worker).TryClaimAllAsync(source, [version], 1, default))[0]
            : await race.Claims(worker).TryClaimAsync(source, version, default);
        var inbox = ResultStoreFactory.Create(source, stack.Connections);
        var random = new Random(4);

        await inbox.WriteAsync(Key, SyntheticImages.Encode(new SKColor(220, 30, 30), 48, 48, random, png: true));
        var older = await race.Lister.CurrentETagAsync(race.Source.Prefix + Key);
        var first = await ClaimAsync("a", new ObjectVersion(race.Source.Prefix + Key, older!));
        await inbox.WriteAsync(Key, SyntheticImages.Encode(new SKColor(30, 40, 220), 48, 48, random, png: true));
        var newer = await race.Lister.CurrentETagAsync(race.Source.Prefix + Key);
        Assert.NotEqual(older, newer);
        var second = await ClaimAsync("b", new ObjectVersion(race.Source.Prefix + Key, newer!));
        Assert.Equal(ClaimOutcome.Claimed, first.Outcome);
        Assert.Equal(ClaimOutcome.Claimed, second.Outcome);
        race.Lister.ETagReads = 0;
        return race with { Older = first.Receipt!, Newer = second.Receipt! };
    }

    private static async Task<int> CountReceiptsAsync(Race race)
    {
        var count = 0;
        await foreach (var _ in race.Store.ListAsync(race.Source.ToString()))
            count++;
        return count;
    }

    private static DropResult Result(DropReceipt receipt, string label) =>
        new(receipt.Key, receipt.ObjectETag, [new LabelScore(0, label, 0.9f)], null, null, "dominant-color.onnx", receipt.ClaimId!, receipt.Owner!, DateTimeOffset.UtcNow);

    private static async Task<DropResult> ReadResultAsync(Race race) =>
        DropResult.Parse(await race.Results.ReadAsync(DropNames.Result(race.Source, race.Source.Prefix + Key)))!;

    private sealed record Race(IDropReceiptStore Store, SourceUri Source, IResultStore Results, CountingLister Lister, DropOptions Options)
    {
        public DropReceipt Older { get; init; } = null!;
        public DropReceipt Newer { get; init; } = null!;

        public DropClaims Claims(string worker) => new(Store, Options, worker, TimeProvider.System);

        public DropResultWriter Writer(string worker) => new(Claims(worker), Lister, Results, Source, 8);
    }

    /// <summary>Counts the object ETag reads (HEADs) the writers make.</summary>
    private sealed class CountingLister(IVersionLister inner) : IVersionLister
    {
        private int eTagReads;

        public int ETagReads
        {
            get => eTagReads;
            set => eTagReads = value;
        }

        public IAsyncEnumerable<IReadOnlyList<ObjectVersion>> ListPagesAsync(int pageSize, CancellationToken cancellationToken = default) =>
            inner.ListPagesAsync(pageSize, cancellationToken);

        public Task<string?> CurrentETagAsync(string key, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref eTagReads);
            return inner.CurrentETagAsync(key, cancellationToken);
        }
    }
}
