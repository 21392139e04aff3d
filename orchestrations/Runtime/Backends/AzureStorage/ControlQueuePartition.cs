using Azure.Storage.Queues;

namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>
/// The messages received from one owned control queue and not yet deleted, grouped by
/// instance. An instance is locked while a work item for it is out, so at most one turn per
/// instance runs in this process; messages arriving meanwhile wait here and fold into the next
/// turn. All members are guarded by <see cref="Gate"/>.
/// </summary>
internal sealed class ControlQueuePartition(int index, QueueClient queue)
{
    private readonly Dictionary<string, InstanceMessages> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ReceivedControlMessage> _byQueueId = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _ready = new();

    public int Index => index;

    public QueueClient Queue => queue;

    public object Gate { get; } = new();

    /// <summary>Only one receive per partition at a time.</summary>
    public SemaphoreSlim ReceiveGate { get; } = new(1, 1);

    /// <summary>Set when the lease was lost: nothing is handed out any more.</summary>
    public bool Closed { get; private set; }

    // Empty-receive back-off: each receive costs a storage request (and on Azurite a scan of every
    // queued message), so a partition that came back empty is not asked again for a while unless
    // this process sent it something meanwhile (see Poke).
    private static readonly long MinQuietTicks = System.Diagnostics.Stopwatch.Frequency / 20;
    private static readonly long MaxQuietTicks = System.Diagnostics.Stopwatch.Frequency;
    private long _quietUntil;
    private long _quietTicks;
    private long _pokes;

    /// <summary>Pokes so far: read before a receive and passed to <see cref="NoteReceived"/>.</summary>
    public long Pokes
    {
        get
        {
            lock (Gate)
                return _pokes;
        }
    }

    /// <summary>False while the queue is believed empty (a recent receive found nothing and nothing was sent to it since).</summary>
    public bool MayReceive()
    {
        lock (Gate)
            return System.Diagnostics.Stopwatch.GetTimestamp() >= _quietUntil;
    }

    /// <summary>
    /// Records a receive's outcome: an empty one (with no poke since it started) doubles the quiet
    /// period, 50 ms up to 1 s; anything received ends it.
    /// </summary>
    public void NoteReceived(int count, long pokesBefore)
    {
        lock (Gate)
        {
            if (count > 0)
            {
                _quietTicks = 0;
                _quietUntil = 0;
                return;
            }
            if (_pokes != pokesBefore)
                return;
            _quietTicks = Math.Clamp(_quietTicks * 2, MinQuietTicks, MaxQuietTicks);
            _quietUntil = System.Diagnostics.Stopwatch.GetTimestamp() + _quietTicks;
        }
    }

    /// <summary>This process sent the queue a message that becomes visible after <paramref name="delay"/>: receive again by then.</summary>
    public void Poke(TimeSpan delay)
    {
        lock (Gate)
        {
            _pokes++;
            var at = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(Math.Max(0, delay.TotalSeconds) * System.Diagnostics.Stopwatch.Frequency);
            if (at < _quietUntil)
                _quietUntil = at;
            if (delay <= TimeSpan.Zero)
                _quietTicks = 0;
        }
    }

    /// <summary>Buffers a received message. A message received again (its visibility ran out) refreshes the known copy.</summary>
    public void Add(ReceivedControlMessage received)
    {
        lock (Gate)
        {
            if (Closed)
                return;
            if (_byQueueId.TryGetValue(received.QueueMessageId, out var known))
            {
                known.PopReceipt = received.PopReceipt;
                known.DequeueCount = received.DequeueCount;
                known.NextVisibleOn = received.NextVisibleOn;
                return;
            }
            _byQueueId[received.QueueMessageId] = received;
            var instanceId = received.TargetInstanceId;
            if (!_instances.TryGetValue(instanceId, out var instance))
                _instances[instanceId] = instance = new InstanceMessages();
            instance.Pending.Add(received);
            if (!instance.Locked && !instance.Queued)
            {
                instance.Queued = true;
                _ready.AddLast(instanceId);
            }
        }
    }

    /// <summary>Locks the first ready instance and takes its pending messages; null when none is ready.</summary>
    public (string InstanceId, List<ReceivedControlMessage> Messages)? TakeReady()
    {
        lock (Gate)
        {
            while (!Closed && _ready.First is { } node)
            {
                _ready.RemoveFirst();
                var instance = _instances[node.Value];
                instance.Queued = false;
                if (instance.Locked || instance.Pending.Count == 0)
                    continue;
                instance.Locked = true;
                var messages = instance.Pending;
                instance.Pending = [];
                return (node.Value, messages);
            }
            return null;
        }
    }

    /// <summary>
    /// Unlocks an instance after its turn. <paramref name="requeue"/> are messages to hand out
    /// again (an abandoned turn) ahead of those that arrived meanwhile; <paramref name="done"/>
    /// are forgotten (deleted from the queue, or left to reappear there). With
    /// <paramref name="keepLocked"/> the instance stays locked (duplicates dropped before a turn).
    /// </summary>
    public void Release(string instanceId, IEnumerable<ReceivedControlMessage> requeue, IEnumerable<ReceivedControlMessage> done, bool keepLocked = false)
    {
        lock (Gate)
        {
            foreach (var message in done)
                _byQueueId.Remove(message.QueueMessageId);
            if (keepLocked || !_instances.TryGetValue(instanceId, out var instance))
                return;
            instance.Locked = false;
            instance.Pending.InsertRange(0, requeue.Where(m => _byQueueId.ContainsKey(m.QueueMessageId)));
            if (instance.Pending.Count == 0)
            {
                _instances.Remove(instanceId);
            }
            else if (!instance.Queued)
            {
                instance.Queued = true;
                _ready.AddLast(instanceId);
            }
        }
    }

    /// <summary>Closes the partition and returns the buffered messages no work item holds (to make visible again).</summary>
    public IReadOnlyList<ReceivedControlMessage> Close()
    {
        lock (Gate)
        {
            Closed = true;
            var idle = _instances.Values.SelectMany(i => i.Pending).ToArray();
            _instances.Clear();
            _byQueueId.Clear();
            _ready.Clear();
            return idle;
        }
    }

    private sealed class InstanceMessages
    {
        public List<ReceivedControlMessage> Pending { get; set; } = [];

        public bool Locked { get; set; }

        public bool Queued { get; set; }
    }
}
