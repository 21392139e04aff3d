using System.Threading.Channels;
using Serverless.Drops;
using Serverless.Drops.Watching;

namespace Serverless.EndToEnd.Tests;

/// <summary>The drop watcher's micro-batching, driven directly with a channel (no processes).</summary>
public sealed class MicroBatcherTests
{
    [Fact]
    public async Task A_burst_into_an_idle_batcher_starts_with_a_small_batch_and_fills_the_next_while_it_runs()
    {
        var channel = Channel.CreateUnbounded<int>();
        for (var i = 0; i < 100; i++)
            channel.Writer.TryWrite(i);
        channel.Writer.Complete();
        // Batches run on their own tasks, so they may start in any order: each is known by its first item
        // (the channel's items in order), and the sizes are read in the order the batches were formed.
        var formed = new List<(int First, int Count)>();
        var firstMayEnd = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var batcher = new MicroBatcher<int>(channel.Reader, batchSize: 32, maxWaitMs: 10_000, inFlight: 2);

        await batcher.RunAsync(async batch =>
        {
            lock (formed)
                formed.Add((batch[0], batch.Count));
            if (batch[0] == 0)
                await firstMayEnd.Task; // the first batch runs while the next ones form
            else
                firstMayEnd.TrySetResult();
            return Task.CompletedTask;
        }, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        var sizes = formed.OrderBy(b => b.First).Select(b => b.Count).ToList();
        Assert.Equal(MicroBatcher<int>.IdleBatchSize(32), sizes[0]);
        Assert.Equal(8, sizes[0]);
        Assert.Equal(32, sizes[1]);
        Assert.Equal(100, sizes.Sum());
    }

    [Fact]
    public async Task A_batch_started_while_another_runs_waits_up_to_the_maximum_for_more()
    {
        var channel = Channel.CreateUnbounded<int>();
        var sizes = new List<int>();
        var batcher = new MicroBatcher<int>(channel.Reader, batchSize: 32, maxWaitMs: 1000, inFlight: 2);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = batcher.RunAsync(async batch =>
        {
            lock (sizes)
                sizes.Add(batch.Count);
            firstStarted.TrySetResult();
            await release.Task;
            return Task.CompletedTask;
        }, CancellationToken.None);

        channel.Writer.TryWrite(1); // idle: a batch of one after the short gather
        await firstStarted.Task.WaitAsync(TimeSpan.FromSeconds(10)); // (no sleeps: CI's 2 cores are busy with other tests)
        channel.Writer.TryWrite(2); // one runs: this batch waits for company
        await Task.Delay(100);
        channel.Writer.TryWrite(3);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Started() < 2 && DateTime.UtcNow < deadline)
            await Task.Delay(20); // the second batch starts once its gather (up to 1 s) ends
        release.TrySetResult();
        channel.Writer.Complete();
        await running.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal([1, 2], sizes);

        int Started()
        {
            lock (sizes)
                return sizes.Count;
        }
    }
}
