namespace Serverless.BatchInference.Orchestrators;

/// <summary>Ends a job as Failed with a reason a user can act on (error threshold exceeded, ...).</summary>
public sealed class JobFailedException(string message) : Exception(message);
