namespace Serverless.Orchestrations;

/// <summary>
/// A serializable description of a failure that crossed a durable boundary (an activity, a
/// sub-orchestration, an orchestration). Exceptions are not serialized; their type name,
/// message and stack are.
/// </summary>
/// <param name="ErrorType">Full name of the exception type, or a runtime code such as <c>poison_message</c>.</param>
/// <param name="ErrorMessage">The exception message.</param>
/// <param name="StackTrace">The remote stack trace, if known.</param>
/// <param name="InnerFailure">The inner exception's failure, if any.</param>
/// <param name="IsNonRetriable">True when retry policies must not retry this failure.</param>
public sealed record FailureDetails(
    string ErrorType,
    string ErrorMessage,
    string? StackTrace = null,
    FailureDetails? InnerFailure = null,
    bool IsNonRetriable = false)
{
    /// <summary>The error type the worker reports for a work item delivered too many times.</summary>
    public const string PoisonMessageErrorType = "poison_message";

    /// <summary>Builds failure details from an exception, inner exceptions included.</summary>
    public static FailureDetails FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        // A failed task's own failure becomes the inner failure, so the remote type and stack survive.
        var inner = exception is TaskFailedException taskFailed
            ? taskFailed.FailureDetails
            : exception.InnerException is null ? null : FromException(exception.InnerException);
        return new FailureDetails(exception.GetType().FullName ?? exception.GetType().Name, exception.Message, exception.StackTrace, inner);
    }

    /// <summary>True when <see cref="ErrorType"/> names <typeparamref name="T"/> or a type derived from it.</summary>
    public bool IsCausedBy<T>() where T : Exception
    {
        var type = Type.GetType(ErrorType, throwOnError: false)
            ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(ErrorType, false)).FirstOrDefault(t => t is not null);
        return type is not null && typeof(T).IsAssignableFrom(type);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{ErrorType}: {ErrorMessage}";
}
