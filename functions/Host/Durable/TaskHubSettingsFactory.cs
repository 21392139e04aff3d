using DurableTask.AzureStorage;
using Microsoft.Extensions.Logging;

namespace Serverless.Host.Durable;

/// <summary>Maps host.json's Durable Task settings onto DTFx's <see cref="AzureStorageOrchestrationServiceSettings"/>, as Durable Functions does.</summary>
internal static class TaskHubSettingsFactory
{
    public static AzureStorageOrchestrationServiceSettings Create(TaskHubOptions options, string connectionString, ILoggerFactory loggerFactory) =>
        Create(options, new StorageAccountClientProvider(connectionString), loggerFactory);

    /// <summary>
    /// The task hub's storage from configuration: the <c>AzureWebJobsStorage</c> connection string,
    /// or the account by identity (<see cref="Serverless.Storage.StorageIdentity"/>: token credential
    /// on the blob, queue and table endpoints); null when neither is set.
    /// </summary>
    public static StorageAccountClientProvider? Provider(Microsoft.Extensions.Configuration.IConfiguration configuration) =>
        Serverless.Jobs.Configuration.TaskHubSettings.Connection(configuration) is { } connection
            ? new StorageAccountClientProvider(connection)
            : Serverless.Jobs.Configuration.TaskHubSettings.Identity(configuration) is { } identity
                ? new StorageAccountClientProvider(identity.BlobServiceUri, identity.QueueServiceUri, identity.TableServiceUri, identity.Credential)
                : null;

    public static AzureStorageOrchestrationServiceSettings Create(TaskHubOptions options, StorageAccountClientProvider storage, ILoggerFactory loggerFactory) => new()
    {
        TaskHubName = options.HubName,
        StorageAccountClientProvider = storage,
        PartitionCount = options.StorageProvider.PartitionCount,
        ControlQueueBatchSize = options.StorageProvider.ControlQueueBatchSize,
        MaxQueuePollingInterval = options.StorageProvider.MaxQueuePollingInterval,
        ControlQueueVisibilityTimeout = options.StorageProvider.ControlQueueVisibilityTimeout,
        WorkItemQueueVisibilityTimeout = options.StorageProvider.WorkItemQueueVisibilityTimeout,
        MaxConcurrentTaskActivityWorkItems = options.MaxConcurrentActivityFunctions,
        MaxConcurrentTaskOrchestrationWorkItems = options.MaxConcurrentOrchestratorFunctions,
        LeaseInterval = options.StorageProvider.LeaseInterval,
        LeaseRenewInterval = options.StorageProvider.LeaseRenewInterval,
        LeaseAcquireInterval = options.StorageProvider.LeaseAcquireInterval,
        ExtendedSessionsEnabled = options.ExtendedSessionsEnabled,
        ExtendedSessionIdleTimeout = TimeSpan.FromSeconds(options.ExtendedSessionIdleTimeoutInSeconds),
        // DTFx names a worker after its machine, which several processes on one machine share:
        // the partition manager would take them for one owner.
        WorkerId = WorkerIds.New(),
        // The app lease keeps a second Functions app (a deployment slot) off a hub; a self-host has none.
        UseAppLease = false,
        // The scheduler entity's batches are dispatched apart from orchestrations (TaskHubWorker's entity dispatcher).
        UseSeparateQueueForEntityWorkItems = true,
        EntityMessageReorderWindowInMinutes = options.EntityMessageReorderWindowInMinutes,
        LoggerFactory = loggerFactory,
    };
}

/// <summary>A worker id unique to this process: machine, process id and a random suffix.</summary>
internal static class WorkerIds
{
    public static string New() => $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
}
