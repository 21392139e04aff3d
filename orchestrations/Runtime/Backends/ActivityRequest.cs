namespace Serverless.Orchestrations.Backends;

/// <summary>A request to run one activity once, sent by an orchestration turn to the activity queue.</summary>
/// <param name="MessageId">Idempotency id, stable across retries of the turn that produced it.</param>
/// <param name="InstanceId">The orchestration instance that scheduled it (where the result goes).</param>
/// <param name="ExecutionId">The execution that scheduled it; the result carries it as its target execution.</param>
/// <param name="TaskId">The TaskScheduled sequence id the result completes.</param>
/// <param name="Name">The activity name.</param>
/// <param name="Input">The serialized input.</param>
public sealed record ActivityRequest(string MessageId, string InstanceId, string ExecutionId, int TaskId, string Name, string? Input);
