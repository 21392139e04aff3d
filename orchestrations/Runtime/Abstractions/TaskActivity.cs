namespace Serverless.Orchestrations;

/// <summary>Base class of typed activities. Activities run at least once: make them idempotent.</summary>
public abstract class TaskActivity<TInput, TOutput> : ITaskActivity
{
    Type ITaskActivity.InputType => typeof(TInput);

    async Task<object?> ITaskActivity.RunAsync(TaskActivityContext context, object? input) =>
        await RunAsync(context, input is null ? default! : (TInput)input);

    /// <summary>The activity code.</summary>
    public abstract Task<TOutput> RunAsync(TaskActivityContext context, TInput input);
}
