using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Serverless.Jobs.Attempts;
using Serverless.BatchInference.Contracts;
using Serverless.TestSupport;

namespace Serverless.Orchestrations.Tests;

/// <summary>The attempt ledger on Azurite: what counts as a crashed attempt, and when a batch is poison.</summary>
public sealed class AttemptLedgerTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private AttemptLedger Ledger(int maxAttempts = 3) => new(new AttemptLedgerOptions
    {
        Account = Serverless.Jobs.Configuration.TaskHubAccount.FromConnectionString(azurite.ConnectionString),
        TableName = AttemptLedgerOptions.TableNameFor("ledger" + Guid.NewGuid().ToString("N")[..8]),
        MaxAttempts = maxAttempts,
    });

    private AttemptLedger FaultyLedger(UpdateFaults faults, int maxAttempts = 3)
    {
        var options = new TableClientOptions { Retry = { MaxRetries = 0 } };
        options.AddPolicy(faults, HttpPipelinePosition.PerRetry);
        return new(new AttemptLedgerOptions
        {
            Account = Serverless.Jobs.Configuration.TaskHubAccount.FromConnectionString(azurite.ConnectionString),
            TableName = AttemptLedgerOptions.TableNameFor("ledger" + Guid.NewGuid().ToString("N")[..8]),
            MaxAttempts = maxAttempts,
            EndTimeout = TimeSpan.FromSeconds(1),
            ClientOptions = options,
        });
    }

    /// <summary>Answers 503 to the next N entity updates (PUT/MERGE), as storage does in a blip.</summary>
    private sealed class UpdateFaults : HttpPipelineSynchronousPolicy
    {
        private int remaining;

        public void FailNext(int count) => Volatile.Write(ref remaining, count);

        public void Reset() => FailNext(0);

        public override void OnSendingRequest(HttpMessage message)
        {
            var update = message.Request.Method == RequestMethod.Put || message.Request.Method == RequestMethod.Patch || message.Request.Method.Method == "MERGE";
            if (update && Interlocked.Decrement(ref remaining) >= 0)
                throw new Azure.RequestFailedException(503, "injected: the server is busy");
            if (update)
                Interlocked.Increment(ref remaining);
        }
    }

    [Fact]
    public async Task Attempts_that_ended_are_not_crashes_and_the_third_crash_makes_the_batch_poison()
    {
        var ledger = Ledger(maxAttempts: 3);
        const string part = "parts/part-000001-00002.jsonl";

        var first = await ledger.BeginAsync("job", part, default);
        await first.EndAsync();
        var crashes = new List<int>();
        for (var i = 0; i < 3; i++)
            crashes.Add((await ledger.BeginAsync("job", part, default)).CrashesBefore); // begun, never ended: a dead worker

        var poison = await Assert.ThrowsAsync<PoisonBatchException>(() => ledger.BeginAsync("job", part, default));

        Assert.Equal(0, first.CrashesBefore);
        Assert.Equal([0, 1, 2], crashes);
        Assert.Contains("died during each of its last 3 attempts", poison.Message);
        Assert.Equal((4, 1), await ledger.ReadAsync("job", part, default));
        // Other parts and jobs are counted apart.
        Assert.Equal(0, (await ledger.BeginAsync("job", "parts/other.jsonl", default)).CrashesBefore);
        Assert.Equal(0, (await ledger.BeginAsync("other-job", part, default)).CrashesBefore);
    }

    [Fact]
    public async Task A_unit_whose_attempt_crashed_is_told_so_uncounted_until_it_begins_as_a_suspect()
    {
        var ledger = Ledger(maxAttempts: 2);
        const string part = "parts/part-000000-00001.jsonl";

        var first = await ledger.BeginAsync("job", part, suspects: false, default); // one insert: no suspect
        Assert.Equal(0, first!.CrashesBefore);
        // Never ended: its worker died. The next attempt learns it is a suspect, and nothing is counted.
        Assert.Null(await ledger.BeginAsync("job", part, suspects: false, default));
        Assert.Equal((1, 0), await ledger.ReadAsync("job", part, default));
        // On its turn alone it is counted.
        Assert.Equal(1, (await ledger.BeginAsync("job", part, default)).CrashesBefore);
        Assert.Equal((2, 0), await ledger.ReadAsync("job", part, default));
        // Poison is said at once, before any turn.
        await Assert.ThrowsAsync<PoisonBatchException>(() => ledger.BeginAsync("job", part, suspects: false, default));
        // An attempt that ended is no crash: the next one begins as no suspect.
        var clean = await ledger.BeginAsync("job", "parts/clean.jsonl", suspects: false, default);
        await clean!.EndAsync();
        Assert.Equal(0, (await ledger.BeginAsync("job", "parts/clean.jsonl", suspects: false, default))!.CrashesBefore);
    }

    [Fact]
    public async Task Concurrent_attempts_of_one_batch_are_all_counted()
    {
        var ledger = Ledger(maxAttempts: 100);
        var attempts = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => ledger.BeginAsync("job", "parts/p.jsonl", default)));
        await Task.WhenAll(attempts.Select(a => a.EndAsync()));

        Assert.Equal((12, 12), await ledger.ReadAsync("job", "parts/p.jsonl", default));
    }

    [Fact]
    public async Task Purging_a_job_deletes_its_rows()
    {
        var ledger = Ledger();
        await ledger.BeginAsync("gone", "parts/a.jsonl", default);
        await ledger.BeginAsync("gone", "parts/b.jsonl", default);
        await ledger.BeginAsync("kept", "parts/a.jsonl", default);

        await ledger.DeleteJobAsync("gone", default);

        Assert.Null(await ledger.ReadAsync("gone", "parts/a.jsonl", default));
        Assert.Null(await ledger.ReadAsync("gone", "parts/b.jsonl", default));
        Assert.NotNull(await ledger.ReadAsync("kept", "parts/a.jsonl", default));
    }

    [Fact]
    public async Task A_blip_on_the_end_write_is_retried_and_the_end_recorded()
    {
        var faults = new UpdateFaults();
        var ledger = FaultyLedger(faults);
        var attempt = await ledger.BeginAsync("job", "parts/p.jsonl", default);

        faults.FailNext(2);
        var recorded = await attempt.EndAsync();

        Assert.True(recorded);
        Assert.Equal((1, 1), await ledger.ReadAsync("job", "parts/p.jsonl", default));
    }

    [Fact]
    public async Task Ends_that_cannot_be_recorded_never_make_a_healthy_batch_poison()
    {
        // Each attempt ends (the batch succeeded) while the ledger's storage refuses writes for
        // longer than the end's budget: three such blips used to count as three crashes.
        var faults = new UpdateFaults();
        var ledger = FaultyLedger(faults);
        const string part = "parts/p.jsonl";

        for (var i = 0; i < 3; i++)
        {
            faults.Reset();
            var attempt = await ledger.BeginAsync("job", part, default);
            Assert.Equal(0, attempt.CrashesBefore);
            faults.FailNext(int.MaxValue);
            Assert.False(await attempt.EndAsync());
        }

        faults.Reset();
        var fourth = await ledger.BeginAsync("job", part, default);

        Assert.Equal(0, fourth.CrashesBefore);
        Assert.Equal(0, ledger.UnrecordedEnds);
        Assert.Equal((4, 3), await ledger.ReadAsync("job", part, default));
    }

    [Fact]
    public void A_cap_below_two_is_refused()
    {
        // One crash may be a neighbour's: only a second one, run alone, is surely the batch's own.
        Assert.Throws<ArgumentOutOfRangeException>(() => Ledger(maxAttempts: 1));
    }
}

/// <summary>A suspect batch runs with no other batch beside it in the process.</summary>
public sealed class SuspectIsolationTests
{
    [Fact]
    public async Task A_suspect_waits_for_running_batches_and_holds_new_ones_back()
    {
        var isolation = new SuspectIsolation();
        var normal = await isolation.EnterAsync(suspect: false, default);
        var suspect = isolation.EnterAsync(suspect: true, default);
        await Task.Delay(200);
        Assert.False(suspect.IsCompleted);

        normal.Dispose();
        var alone = await suspect.WaitAsync(TimeSpan.FromSeconds(5));
        var later = isolation.EnterAsync(suspect: false, default);
        await Task.Delay(200);
        Assert.False(later.IsCompleted);

        alone.Dispose();
        (await later.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Fact]
    public async Task Normal_batches_run_side_by_side()
    {
        var isolation = new SuspectIsolation();
        var entered = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => isolation.EnterAsync(suspect: false, default))).WaitAsync(TimeSpan.FromSeconds(5));
        foreach (var turn in entered)
            turn.Dispose();
    }
}
