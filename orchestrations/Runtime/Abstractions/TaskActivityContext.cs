namespace Serverless.Orchestrations;

/// <summary>What an activity knows about its invocation.</summary>
public sealed class TaskActivityContext(string name, string instanceId, int taskId, int dequeueCount, CancellationToken cancellationToken)
{
    /// <summary>The activity name.</summary>
    public string Name { get; } = name;

    /// <summary>The orchestration instance that scheduled it.</summary>
    public string InstanceId { get; } = instanceId;

    /// <summary>The task id in the orchestration's history (with <see cref="InstanceId"/>, an idempotency key).</summary>
    public int TaskId { get; } = taskId;

    /// <summary>How many times this invocation was delivered (above 1 after a crash or an abandon).</summary>
    public int DequeueCount { get; } = dequeueCount;

    /// <summary>Signalled when the worker shuts down; the work item is then released to run elsewhere.</summary>
    public CancellationToken CancellationToken { get; } = cancellationToken;
}
