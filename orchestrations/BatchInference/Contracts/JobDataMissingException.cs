namespace Serverless.BatchInference.Contracts;

/// <summary>
/// A file of the job's own (a page manifest, a page record, a part) is missing or unreadable: the
/// job fails naming it, without retries, rather than hang or end with a silently short result.
/// </summary>
public sealed class JobDataMissingException(string message, Exception? inner = null) : Exception(message, inner);
