namespace Serverless.Orchestrations;

/// <summary>An activity, untyped: what the worker runs.</summary>
public interface ITaskActivity
{
    /// <summary>The type the serialized input is read as.</summary>
    Type InputType { get; }

    /// <summary>Runs the activity; the result is serialized as the task's result.</summary>
    Task<object?> RunAsync(TaskActivityContext context, object? input);
}
