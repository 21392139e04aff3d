namespace Serverless.Orchestrations;

/// <summary>Base class of typed orchestrators.</summary>
public abstract class TaskOrchestrator<TInput, TOutput> : ITaskOrchestrator
{
    Type ITaskOrchestrator.InputType => typeof(TInput);

    async Task<object?> ITaskOrchestrator.RunAsync(TaskOrchestrationContext context, object? input) =>
        await RunAsync(context, input is null ? default! : (TInput)input);

    /// <summary>The orchestrator code. It must be deterministic (see <see cref="TaskOrchestrationContext"/>).</summary>
    public abstract Task<TOutput> RunAsync(TaskOrchestrationContext context, TInput input);
}
