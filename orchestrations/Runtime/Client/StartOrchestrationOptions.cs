namespace Serverless.Orchestrations.Client;

/// <summary>Options for scheduling an instance.</summary>
/// <param name="InstanceId">The instance id; null picks a new GUID. Scheduling an id whose instance is still active does nothing.</param>
/// <param name="StartAt">Start no earlier than this time (UTC); null starts now.</param>
public sealed record StartOrchestrationOptions(string? InstanceId = null, DateTime? StartAt = null);
