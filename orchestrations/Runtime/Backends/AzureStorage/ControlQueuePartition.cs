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
            var instanceId = received.Message.TargetInstanceId;
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
