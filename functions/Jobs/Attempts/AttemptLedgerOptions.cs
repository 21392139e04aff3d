namespace Serverless.Jobs.Attempts;

/// <summary>Where the attempt ledger lives and how many crashed attempts make a batch poison.</summary>
public sealed class AttemptLedgerOptions
{
    /// <summary>The task hub's storage account (<c>AzureWebJobsStorage</c>, by connection string or identity).</summary>
    public required Configuration.TaskHubAccount Account { get; init; }

    /// <summary>The table, <c>{hub}BatchAttempts</c> (<see cref="TableNameFor"/>).</summary>
    public required string TableName { get; init; }

    /// <summary>
    /// Attempts of one batch that may end with their worker process dead before the batch is poison
    /// (host.json <c>extensions:durableTask:storageProvider:maxDequeueCount</c>). At least 2: a
    /// batch retried after one crash runs alone in its process, so only a second crash is surely its own.
    /// </summary>
    public int MaxAttempts { get; init; } = DefaultMaxAttempts;

    public const int DefaultMaxAttempts = 3;

    /// <summary>How long an attempt's end is retried before it is deferred to the next begin (10 s: it runs during shutdown too).</summary>
    public TimeSpan EndTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Options of the table client (retries, transport); null for the SDK's defaults.</summary>
    public Azure.Data.Tables.TableClientOptions? ClientOptions { get; init; }

    public static string TableNameFor(string hubName) => hubName + "BatchAttempts";
}
