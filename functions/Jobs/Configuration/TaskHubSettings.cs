using Microsoft.Extensions.Configuration;

namespace Serverless.Jobs.Configuration;

/// <summary>
/// The task hub settings both hosts read from the same keys: host.json's
/// <c>extensions:durableTask</c> (the Functions format) and the <c>AzureWebJobsStorage</c> connection.
/// </summary>
public static class TaskHubSettings
{
    /// <summary>The setting with the task hub's storage connection string, as in Functions.</summary>
    public const string ConnectionSetting = "AzureWebJobsStorage";

    /// <summary>host.json's Durable Task section.</summary>
    public const string Section = "extensions:durableTask";

    /// <summary>
    /// The hub when host.json names none. New with the move to DTFx (its tables and queues are
    /// laid out differently from the old engine's <c>ServerlessHub</c>, which is not migrated).
    /// </summary>
    public const string DefaultHubName = "ServerlessTaskHub";

    public static string HubName(IConfiguration configuration) =>
        configuration[$"{Section}:hubName"] is { Length: > 0 } name ? name : DefaultHubName;

    public static string? Connection(IConfiguration configuration) =>
        configuration[ConnectionSetting] is { Length: > 0 } connection && !string.IsNullOrWhiteSpace(connection) ? connection : null;

    /// <summary>
    /// The task hub's account by identity (<c>AzureWebJobsStorage__accountName</c>, <c>__credential</c>,
    /// <c>__clientId</c>, or the service URIs), when no connection string is set; null when neither
    /// is. Throws <see cref="InvalidOperationException"/> naming what is incomplete.
    /// </summary>
    public static Serverless.Storage.StorageIdentity? Identity(IConfiguration configuration) =>
        Connection(configuration) is null ? Serverless.Storage.StorageIdentity.Parse(ConnectionSetting, name => configuration[name.Replace("__", ":", StringComparison.Ordinal)]) : null;

    /// <summary>
    /// Activities (work units) one worker process runs at once when host.json sets no
    /// <c>maxConcurrentActivityFunctions</c>: the serverless host's default, which the inference
    /// threads of a unit are sized by (<see cref="InferenceOptionsFactory"/>).
    /// </summary>
    public const int DefaultConcurrentActivities = 2;

    /// <summary>Activities one worker process runs at once (<c>maxConcurrentActivityFunctions</c>, else <see cref="DefaultConcurrentActivities"/>).</summary>
    public static int ConcurrentActivities(IConfiguration configuration) =>
        configuration.GetValue<int?>($"{Section}:maxConcurrentActivityFunctions") ?? DefaultConcurrentActivities;

    /// <summary>Crashed attempts before a batch is poison (<c>storageProvider:maxDequeueCount</c>).</summary>
    public static int MaxDequeueCount(IConfiguration configuration) =>
        configuration.GetValue<int?>($"{Section}:storageProvider:maxDequeueCount") ?? Attempts.AttemptLedgerOptions.DefaultMaxAttempts;
}
