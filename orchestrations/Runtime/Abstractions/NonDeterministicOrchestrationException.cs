namespace Serverless.Orchestrations;

/// <summary>
/// The orchestrator code did not schedule what its recorded history says it scheduled (a
/// missing call, a call of another kind, an activity of another name): the code changed or is
/// not deterministic. The instance fails with this error; its history is left intact.
/// </summary>
public sealed class NonDeterministicOrchestrationException(string message) : Exception(message);
