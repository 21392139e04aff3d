using System.Collections.Concurrent;

namespace Serverless.Inference;

/// <summary>
/// Bytes of encoded images a process holds between their read and their decode, bounded: a read
/// waits until what it will hold fits (first come, first served), so a folder of 64 MiB images
/// slows the read-ahead down instead of running the process out of memory. A single image larger
/// than the whole budget takes all of it. Thread-safe; one per process per capacity (<see cref="For"/>).
/// </summary>
public sealed class ByteBudget
{
    private static readonly ConcurrentDictionary<long, ByteBudget> Shared = new();
    private readonly object gate = new();
    private readonly LinkedList<(long Bytes, TaskCompletionSource Ready)> waiters = new();
    private long used;
    private long peak;

    /// <summary>A budget of <paramref name="capacity"/> bytes.</summary>
    public ByteBudget(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>The process's budget of <paramref name="capacity"/> bytes (<see cref="InferenceOptions.ReadAheadBytes"/>).</summary>
    public static ByteBudget For(long capacity) => Shared.GetOrAdd(capacity, c => new ByteBudget(c));

    /// <summary>The most bytes held at once.</summary>
    public long Capacity { get; }

    /// <summary>Bytes held now.</summary>
    public long Used
    {
        get
        {
            lock (gate)
                return used;
        }
    }

    /// <summary>The most bytes ever held at once (tests, diagnostics).</summary>
    public long Peak
    {
        get
        {
            lock (gate)
                return peak;
        }
    }

    /// <summary>Waits until <paramref name="bytes"/> (at most the capacity) fit; dispose the lease to give them back.</summary>
    public async ValueTask<Lease> AcquireAsync(long bytes, CancellationToken cancellationToken)
    {
        bytes = Math.Clamp(bytes, 0, Capacity);
        TaskCompletionSource ready;
        LinkedListNode<(long, TaskCompletionSource)> node;
        lock (gate)
        {
            if (waiters.Count == 0 && used + bytes <= Capacity)
            {
                Take(bytes);
                return new Lease(this, bytes);
            }
            ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            node = waiters.AddLast((bytes, ready));
        }
        try
        {
            await ready.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            lock (gate)
            {
                if (node.List is not null)
                {
                    waiters.Remove(node);
                    throw;
                }
            }
            // Granted while being cancelled: give it back.
            Release(bytes);
            throw;
        }
        return new Lease(this, bytes);
    }

    private void Take(long bytes)
    {
        used += bytes;
        peak = Math.Max(peak, used);
    }

    private void Release(long bytes)
    {
        var wake = new List<TaskCompletionSource>();
        lock (gate)
        {
            used -= bytes;
            while (waiters.First is { } first && used + first.Value.Bytes <= Capacity)
            {
                Take(first.Value.Bytes);
                waiters.RemoveFirst();
                wake.Add(first.Value.Ready);
            }
        }
        foreach (var w in wake)
            w.TrySetResult();
    }

    /// <summary>Bytes held from a <see cref="ByteBudget"/>; disposing gives them back (once).</summary>
    public sealed class Lease(ByteBudget budget, long bytes) : IDisposable
    {
        private int released;

        /// <summary>The bytes held.</summary>
        public long Bytes => bytes;

        /// <inheritdoc />
        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0 && bytes > 0)
                budget.Release(bytes);
        }
    }
}
