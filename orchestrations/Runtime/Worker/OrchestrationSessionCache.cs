using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Worker;

/// <summary>
/// Instances kept in memory between turns (DTFx "extended sessions"), least recently used
/// evicted first. Each entry remembers the history version it matches; a turn takes its entry
/// out while it runs and puts it back only after a successful commit, so a failed commit or a
/// lost lock leaves nothing stale behind.
/// </summary>
internal sealed class OrchestrationSessionCache(int capacity)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _lru = new();

    public int Count
    {
        get
        {
            lock (_gate)
                return _entries.Count;
        }
    }

    /// <summary>Removes and returns the session of <paramref name="instanceId"/>, if cached.</summary>
    public bool TryTake(string instanceId, out OrchestrationSession session, out string version)
    {
        lock (_gate)
        {
            if (_entries.Remove(instanceId, out var node))
            {
                _lru.Remove(node);
                (session, version) = (node.Value.Session, node.Value.Version);
                return true;
            }
        }
        (session, version) = (null!, null!);
        return false;
    }

    /// <summary>Caches a session at a committed history version.</summary>
    public void Put(string instanceId, OrchestrationSession session, string version)
    {
        if (capacity <= 0)
            return;
        lock (_gate)
        {
            if (_entries.Remove(instanceId, out var old))
                _lru.Remove(old);
            _entries[instanceId] = _lru.AddFirst(new Entry(instanceId, session, version));
            while (_entries.Count > capacity)
            {
                var last = _lru.Last!;
                _lru.RemoveLast();
                _entries.Remove(last.Value.InstanceId);
            }
        }
    }

    /// <summary>Forgets every session (e.g. after the backend lost its partitions).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            _lru.Clear();
        }
    }

    private sealed record Entry(string InstanceId, OrchestrationSession Session, string Version);
}
