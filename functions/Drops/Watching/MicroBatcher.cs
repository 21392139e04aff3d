using System.Threading.Channels;
using Serverless.Drops;

namespace Serverless.Drops.Watching;

/// <summary>
/// Groups items from a channel into micro-batches and runs up to <c>inFlight</c> of them at once. A
/// batch's processing answers with its tail (the result writes), which runs on
/// after the batch gives its place to the next one; at most one tail more than <c>inFlight</c> runs.
/// A batch closes at the batch size, or at the maximum wait from its first item; when no batch (nor
/// tail) is running the wait is only a short gather, and the batch a quarter of the size, because
/// then the first results of a burst wait for the whole batch while nothing else runs: a small
/// first batch answers sooner, and the next one fills up while it runs.
/// </summary>
internal sealed class MicroBatcher<T>(ChannelReader<T> reader, int batchSize, int maxWaitMs, int inFlight)
{
    /// <summary>How long an idle batcher gathers what one listing page claims (its claims land within a few ms of each other).</summary>
    public const int IdleGatherMs = 50;

    private int running;

    /// <summary>The size of a batch started while none runs.</summary>
    public static int IdleBatchSize(int batchSize) => Math.Max(1, batchSize / 4);

    /// <summary>Runs batches until the channel completes or <paramref name="stoppingToken"/> fires; batches in hand are finished.</summary>
    public async Task RunAsync(Func<List<T>, Task<Task>> process, CancellationToken stoppingToken)
    {
        using var slots = new SemaphoreSlim(inFlight);
        // Writes may lag reads by one batch more than classification does.
        using var tails = new SemaphoreSlim(inFlight + 1);
        var tasks = new List<Task>();
        try
        {
            while (true)
            {
                await slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                var batch = await NextAsync(stoppingToken).ConfigureAwait(false);
                if (batch is null)
                {
                    slots.Release();
                    return;
                }
                Interlocked.Increment(ref running);
                // A batch in hand is finished even when stopping: its claims are ours and the work is short.
                tasks.Add(Task.Run(async () =>
                {
                    try
                    {
                        Task tail;
                        try
                        {
                            tail = await process(batch).ConfigureAwait(false);
                            await tails.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                        }
                        finally
                        {
                            slots.Release();
                        }
                        try
                        {
                            await tail.ConfigureAwait(false);
                        }
                        finally
                        {
                            tails.Release();
                        }
                    }
                    finally
                    {
                        Interlocked.Decrement(ref running);
                    }
                }, CancellationToken.None));
                foreach (var finished in tasks.Where(t => t.IsCompleted).ToArray())
                {
                    tasks.Remove(finished);
                    await finished.ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
    }

    private async Task<List<T>?> NextAsync(CancellationToken stoppingToken)
    {
        T first;
        try
        {
            first = await reader.ReadAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            return null;
        }
        var idle = Volatile.Read(ref running) == 0;
        var size = idle ? IdleBatchSize(batchSize) : batchSize;
        var batch = new List<T>(size) { first };
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        wait.CancelAfter(idle ? Math.Min(maxWaitMs, IdleGatherMs) : maxWaitMs);
        try
        {
            while (batch.Count < size)
            {
                if (reader.TryRead(out var next))
                    batch.Add(next);
                else if (!await reader.WaitToReadAsync(wait.Token).ConfigureAwait(false))
                    break;
            }
        }
        catch (OperationCanceledException)
        {
        }
        return batch;
    }
}
