using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>
/// What the backend remembers of an instance between turns while it owns the instance's
/// partition: the fence (ETag), where the next events go, and the receive-side dedupe sets.
/// Dropped when the partition is lost or a commit fails.
/// </summary>
internal sealed class InstanceCacheEntry
{
    public required int Partition { get; init; }

    public string? ETag { get; set; }

    public int HistoryCount { get; set; }

    public string? ExecutionId { get; set; }

    public long Turn { get; set; }

    /// <summary>The sentinel as last written or read: its state is carried over by a turn that does not change it.</summary>
    public Azure.Data.Tables.TableEntity? Sentinel { get; set; }

    /// <summary>Consumed message id → the execution that consumed it.</summary>
    public Dictionary<string, string> Consumed { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Keys of completions already in the current execution's history (task, timer, sub-orchestration ids; the start).</summary>
    public HashSet<string> CompletionKeys { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Rows to delete (fenced) with the next commit: outbox rows of turns that never committed.</summary>
    public List<string> StaleRowKeys { get; init; } = [];

    public static InstanceCacheEntry FromSnapshot(int partition, InstanceSnapshot? snapshot)
    {
        var entry = new InstanceCacheEntry { Partition = partition };
        if (snapshot is null)
            return entry;
        entry.ETag = snapshot.ETag;
        entry.HistoryCount = snapshot.Events.Count;
        entry.ExecutionId = snapshot.ExecutionId;
        entry.Turn = snapshot.Turn;
        entry.Sentinel = snapshot.Sentinel;
        foreach (var (id, execution) in snapshot.Consumed)
            entry.Consumed[id] = execution;
        entry.StaleRowKeys.AddRange(snapshot.StaleRowKeys);
        entry.AddCompletionKeys(snapshot.Events);
        return entry;
    }

    public void AddCompletionKeys(IEnumerable<HistoryEvent> events)
    {
        foreach (var e in events)
        {
            if (CompletionKey(e) is { } key)
                CompletionKeys.Add(key);
        }
    }

    /// <summary>
    /// True when the message was consumed already, or its completion is already in the current
    /// execution's history (an activity that ran twice sends two results for one task).
    /// </summary>
    public bool IsDuplicate(OrchestrationMessage message)
    {
        if (Consumed.ContainsKey(message.MessageId))
            return true;
        if (message.TargetExecutionId is { } target && target != ExecutionId)
            return false;
        return CompletionKey(message.Event) is { } key && CompletionKeys.Contains(key);
    }

    /// <summary>The identity of an event that may arrive once only per execution; null for others (raised events).</summary>
    public static string? CompletionKey(HistoryEvent e) => e switch
    {
        TaskCompletedEvent c => "t" + c.TaskScheduledId,
        TaskFailedEvent f => "t" + f.TaskScheduledId,
        SubOrchestrationInstanceCompletedEvent c => "t" + c.TaskScheduledId,
        SubOrchestrationInstanceFailedEvent f => "t" + f.TaskScheduledId,
        TimerFiredEvent t => "t" + t.TimerId,
        ExecutionStartedEvent s => "x" + s.ExecutionId,
        _ => null,
    };
}
