namespace Serverless.Orchestrations.Backends;

/// <summary>
/// Thrown by a backend when a work item's lock expired or was taken by another worker (its
/// partition lease was lost, its pop receipt is stale, its ETag changed). Nothing of the
/// attempted operation was committed; the worker drops the work item and any cached state of
/// the instance, and another delivery will run it again.
/// </summary>
public sealed class LockLostException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LockLostException(string message, Exception? innerException = null) : base(message, innerException) { }
}
