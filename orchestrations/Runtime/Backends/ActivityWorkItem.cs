namespace Serverless.Orchestrations.Backends;

/// <summary>A locked activity request. Invisible to other fetchers while the lock is held.</summary>
public sealed class ActivityWorkItem
{
    /// <summary>What to run.</summary>
    public required ActivityRequest Request { get; init; }

    /// <summary>How many times this request has been delivered, this delivery included (1 on first delivery).</summary>
    public required int DequeueCount { get; init; }

    /// <summary>When the lock expires unless renewed (UTC). Updated by lock renewal.</summary>
    public DateTime LockedUntilUtc { get; set; }

    /// <summary>Backend-private data (message id, pop receipt). The worker never reads it.</summary>
    public object? BackendState { get; set; }
}
