namespace Serverless.Jobs.Attempts;

/// <summary>Where the attempt ledger lives and how many crashed attempts make a batch poison.</summary>
public sealed class AttemptLedgerOptions
{
    /// <summary>The task hub's storage account (<c>AzureWebJobsStorage</c>).</summary>
    public required string ConnectionString { get; init; }

    /// <summary>The table, <c>{hub}BatchAttempts</c> (<see cref="TableNameFor"/>).</summary>
    public required string TableName { get; init; }

    /// <summary>
    /// Attempts of one batch that may end with their worker process dead before the batch is poison
    /// (host.json <c>extensions:durableTask:storageProvider:maxDequeueCount</c>). At least 2: a
    /// batch retried after one crash runs alone in its process, so only a second crash is surely its own.
    /// </summary>
    public int MaxAttempts { get; init; } = DefaultMaxAttempts;

    public const int DefaultMaxAttempts = 3;

    public static string TableNameFor(string hubName) => hubName + "BatchAttempts";
}
