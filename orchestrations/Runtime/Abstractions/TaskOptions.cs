namespace Serverless.Orchestrations;

/// <summary>Options of a durable call (activity or sub-orchestration).</summary>
public class TaskOptions
{
    /// <summary>Creates options, optionally with a retry policy.</summary>
    public TaskOptions(RetryPolicy? retry = null) => Retry = retry;

    /// <summary>How to retry a failed call; null runs it once.</summary>
    public RetryPolicy? Retry { get; init; }

    /// <summary>Options that retry with <paramref name="policy"/>.</summary>
    public static TaskOptions FromRetryPolicy(RetryPolicy policy) => new(policy);
}

/// <summary>Options of a sub-orchestration call.</summary>
public class SubOrchestrationOptions : TaskOptions
{
    /// <summary>Creates options with an explicit child instance id (null: a deterministic new GUID).</summary>
    public SubOrchestrationOptions(string? instanceId = null, RetryPolicy? retry = null) : base(retry) => InstanceId = instanceId;

    /// <summary>The child's instance id.</summary>
    public string? InstanceId { get; init; }
}
