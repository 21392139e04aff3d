using Serverless.Storage.Results;

namespace Serverless.Jobs.Merge;

/// <summary>
/// What one merge shard counted while it wrote its rows: the final step adds these up for
/// summary.json, so the histogram and samples come from the same pass as the predictions.
/// </summary>
public sealed record ShardStats
{
    /// <summary>The shard's predictions file (<c>predictions/part-NNNNN.jsonl</c>).</summary>
    public required string Name { get; init; }

    public long Rows { get; init; }
    public long Failed { get; init; }
    public long Bytes { get; init; }
    public int Parts { get; init; }
    public long DuplicatesDropped { get; init; }

    /// <summary>Images healed by the second pass over failed reads.</summary>
    public long Healed { get; init; }

    /// <summary>Rows copied from the job's <c>skipExisting</c> output.</summary>
    public long Skipped { get; init; }

    public Dictionary<string, long> FailuresByReason { get; init; } = new(StringComparer.Ordinal);
    public Dictionary<string, long> Classes { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The shard's Parquet footer (<c>format: parquet</c>), which the join lists with the other shards' (<see cref="ParquetFooter"/>); null otherwise.</summary>
    public byte[]? ParquetFooter { get; init; }

    /// <summary>The shard's bottom-k sample (<see cref="ResultSampler"/>): the union's bottom-k is the job's.</summary>
    public ResultSamples Samples { get; init; } = ResultSamples.Empty;
}
