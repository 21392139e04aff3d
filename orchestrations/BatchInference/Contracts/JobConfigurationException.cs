namespace Serverless.BatchInference.Contracts;

/// <summary>
/// The job cannot run as asked (its model does not load, or its batch does not fit in memory):
/// it fails at once with this reason, without retries, since another attempt would fail the same way.
/// </summary>
public sealed class JobConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
