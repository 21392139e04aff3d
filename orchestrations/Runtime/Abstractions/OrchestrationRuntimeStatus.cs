namespace Serverless.Orchestrations;

/// <summary>The runtime status of an orchestration instance, as Durable Functions names it.</summary>
public enum OrchestrationRuntimeStatus
{
    /// <summary>Created, its first turn has not run yet.</summary>
    Pending = 0,
    /// <summary>Started and not finished.</summary>
    Running = 1,
    /// <summary>Finished with an output.</summary>
    Completed = 2,
    /// <summary>Restarted itself with new input; a transient status between two executions.</summary>
    ContinuedAsNew = 3,
    /// <summary>Finished with an unhandled exception (failure details are recorded).</summary>
    Failed = 4,
    /// <summary>Stopped by a terminate request.</summary>
    Terminated = 5,
}

/// <summary>Helpers over <see cref="OrchestrationRuntimeStatus"/>.</summary>
public static class OrchestrationRuntimeStatusExtensions
{
    /// <summary>True for Completed, Failed and Terminated: the instance will not run again.</summary>
    public static bool IsTerminal(this OrchestrationRuntimeStatus status) =>
        status is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated;
}
