using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Backends.InMemory;

/// <summary>Everything the in-memory backend holds for one instance. Guarded by the backend's lock.</summary>
internal sealed class InstanceRecord(string instanceId)
{
    public string InstanceId { get; } = instanceId;
    public OrchestrationState? State { get; set; }
    public List<HistoryEvent> History { get; set; } = [];
    public long Version { get; set; }

    /// <summary>Messages not yet consumed by a committed turn, visible or not.</summary>
    public List<QueuedMessage> Inbox { get; } = [];

    /// <summary>The token of the work item holding the instance lock, or null.</summary>
    public string? LockToken { get; set; }
    public DateTime LockedUntil { get; set; }
    public List<QueuedMessage> LockedMessages { get; set; } = [];

    /// <summary>True while the id sits in the ready queue (so it is queued once).</summary>
    public bool Queued { get; set; }
}

/// <summary>An orchestration message with its delivery bookkeeping.</summary>
internal sealed class QueuedMessage(OrchestrationMessage message, DateTime visibleAt)
{
    public OrchestrationMessage Message { get; } = message;
    public DateTime VisibleAt { get; set; } = visibleAt;
    public int DequeueCount { get; set; }
}

/// <summary>An activity request with its delivery bookkeeping.</summary>
internal sealed class ActivityEntry(ActivityRequest request)
{
    public ActivityRequest Request { get; } = request;
    public int DequeueCount { get; set; }
    public string? LockToken { get; set; }
    public DateTime LockedUntil { get; set; }
    public bool Done { get; set; }
}
