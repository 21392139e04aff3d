using Azure.Data.Tables;
using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>An instance's history partition as loaded: the committed events and everything the next commit needs.</summary>
internal sealed class InstanceSnapshot
{
    /// <summary>The sentinel's ETag: the fence of the next commit (null: no sentinel yet).</summary>
    public string? ETag { get; init; }

    /// <summary>The sentinel row as read (null: none).</summary>
    public TableEntity? Sentinel { get; init; }

    public required IReadOnlyList<HistoryEvent> Events { get; init; }

    public string? ExecutionId { get; init; }

    /// <summary>Commits so far; the Instances row records the turn it reflects, so a lagging row is detectable.</summary>
    public long Turn { get; init; }

    /// <summary>Message ids consumed by committed turns, with the execution that consumed them.</summary>
    public required Dictionary<string, string> Consumed { get; init; }

    /// <summary>Outbox rows of the last committed turn that were not deleted: their sending may not have finished.</summary>
    public required IReadOnlyList<TableEntity> PendingOutbox { get; init; }

    /// <summary>Outbox rows of turns that never committed: deleted (fenced) by the next commit.</summary>
    public required IReadOnlyList<string> StaleRowKeys { get; init; }
}
