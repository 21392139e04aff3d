namespace Serverless.BatchInference.Contracts;

/// <summary>
/// Thrown by ClassifyBatch instead of running a batch whose earlier attempts all ended with their
/// worker process dead (the attempt ledger counts them). The page orchestrator splits such a
/// batch into single images; a single image that is poison is recorded as <c>worker_crashed</c>.
/// </summary>
public sealed class PoisonBatchException(string message) : Exception(message);
