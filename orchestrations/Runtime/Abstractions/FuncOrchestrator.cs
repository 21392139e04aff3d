namespace Serverless.Orchestrations;

/// <summary>An orchestrator made from a delegate (<see cref="DurableTaskRegistry.AddOrchestratorFunc{TInput,TOutput}"/>).</summary>
internal sealed class FuncOrchestrator<TInput, TOutput>(Func<TaskOrchestrationContext, TInput, Task<TOutput>> run)
    : TaskOrchestrator<TInput, TOutput>
{
    public override Task<TOutput> RunAsync(TaskOrchestrationContext context, TInput input) => run(context, input);
}

/// <summary>An activity made from a delegate (<see cref="DurableTaskRegistry.AddActivityFunc{TInput,TOutput}(string, Func{TaskActivityContext, TInput, Task{TOutput}})"/>).</summary>
internal sealed class FuncActivity<TInput, TOutput>(Func<TaskActivityContext, TInput, Task<TOutput>> run)
    : TaskActivity<TInput, TOutput>
{
    public override Task<TOutput> RunAsync(TaskActivityContext context, TInput input) => run(context, input);
}
