namespace Serverless.Orchestrations;

/// <summary>An orchestrator, untyped: what the replay engine runs.</summary>
public interface ITaskOrchestrator
{
    /// <summary>The type the serialized input is read as.</summary>
    Type InputType { get; }

    /// <summary>Runs the orchestrator code; the result is serialized as the output.</summary>
    Task<object?> RunAsync(TaskOrchestrationContext context, object? input);
}
