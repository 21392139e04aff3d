namespace Serverless.Storage.Results;

/// <summary>What a batch wrote: small enough to travel back to the orchestrator.</summary>
/// <param name="BatchId">The batch number.</param>
/// <param name="Name">The part's name in the result store, e.g. <c>parts/part-000042.jsonl</c>.</param>
/// <param name="Rows">Rows written.</param>
/// <param name="Failed">Rows that carry an error.</param>
public sealed record PartInfo(int BatchId, string Name, int Rows, int Failed);
