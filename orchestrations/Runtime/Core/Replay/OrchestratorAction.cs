namespace Serverless.Orchestrations.Core;

/// <summary>Something orchestrator code asked for, identified by its sequence id; history events consume actions.</summary>
internal abstract record OrchestratorAction(int Id)
{
    /// <summary>Words for error messages.</summary>
    public abstract string Describe();
}

internal sealed record ScheduleTaskAction(int Id, string Name, string? Input) : OrchestratorAction(Id)
{
    public override string Describe() => $"activity '{Name}'";
}

internal sealed record CreateTimerAction(int Id, DateTime FireAt) : OrchestratorAction(Id)
{
    public override string Describe() => "a timer";
}

internal sealed record CreateSubOrchestrationAction(int Id, string Name, string InstanceId, string? Input) : OrchestratorAction(Id)
{
    public override string Describe() => $"sub-orchestration '{Name}'";
}

internal sealed record SendEventAction(int Id, string InstanceId, string Name, string? Input) : OrchestratorAction(Id)
{
    public override string Describe() => $"event '{Name}' to '{InstanceId}'";
}
