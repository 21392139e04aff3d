namespace Serverless.Orchestrations;

/// <summary>
/// Thrown into orchestrator code when an activity or a sub-orchestration it awaited failed.
/// <see cref="FailureDetails"/> carries the remote error type, message and stack trace.
/// </summary>
public class TaskFailedException : Exception
{
    /// <summary>Creates the exception for a failed task.</summary>
    public TaskFailedException(string taskName, int taskId, FailureDetails failureDetails)
        : base($"Task '{taskName}' (#{taskId}) failed with an unhandled exception: {failureDetails.ErrorType}: {failureDetails.ErrorMessage}")
    {
        TaskName = taskName;
        TaskId = taskId;
        FailureDetails = failureDetails;
    }

    /// <summary>The activity or orchestrator name.</summary>
    public string TaskName { get; }

    /// <summary>The sequence id of the scheduled task in the orchestration's history.</summary>
    public int TaskId { get; }

    /// <summary>What went wrong on the remote side.</summary>
    public FailureDetails FailureDetails { get; }
}
