// A durable-task worker process on an Azure Storage task hub, for crash tests: the tests start
// several, kill some with SIGKILL, and check the survivors finish the work.
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serverless.Orchestrations.Backends;
using Serverless.Orchestrations.Backends.AzureStorage;
using Serverless.Orchestrations.Worker;
using Serverless.WorkerProcess;

var settings = WorkerSettings.Parse(args);
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss.fff ";
});
builder.Logging.SetMinimumLevel(LogLevel.Information);

var runs = new TableClient(settings.ConnectionString, TestFunctions.RunsTableName(settings.HubName));
await runs.CreateIfNotExistsAsync();

builder.Services.AddSingleton(sp => new AzureStorageOrchestrationBackend(new AzureStorageBackendOptions
{
    ConnectionString = settings.ConnectionString,
    HubName = settings.HubName,
    PartitionCount = settings.PartitionCount,
    WorkerId = settings.WorkerId,
    LeaseDuration = settings.LeaseDuration,
    LeaseRenewInterval = settings.LeaseRenewInterval,
    ControlQueueVisibilityTimeout = settings.VisibilityTimeout,
    WorkItemQueueVisibilityTimeout = settings.VisibilityTimeout,
}, sp.GetRequiredService<ILoggerFactory>()));
builder.Services.AddSingleton<IOrchestrationBackend>(sp => sp.GetRequiredService<AzureStorageOrchestrationBackend>());
builder.Services.AddSingleton<IOrchestrationQueryBackend>(sp => sp.GetRequiredService<AzureStorageOrchestrationBackend>());
builder.Services.AddDurableTaskWorker(registry => TestFunctions.Register(registry, runs, settings));
builder.Services.Configure<DurableTaskOptions>(options =>
{
    options.HubName = settings.HubName;
    options.MaxConcurrentActivityFunctions = settings.MaxConcurrentActivities;
    options.MaxConcurrentOrchestratorFunctions = 8;
    options.LockRenewalInterval = settings.VisibilityTimeout / 3;
    options.ShutdownTimeout = TimeSpan.FromSeconds(2);
    options.StorageProvider.PartitionCount = settings.PartitionCount;
    options.StorageProvider.MaxDequeueCount = settings.MaxDequeueCount;
    options.StorageProvider.MinQueuePollingInterval = TimeSpan.FromMilliseconds(5);
    options.StorageProvider.MaxQueuePollingInterval = TimeSpan.FromMilliseconds(100);
    options.StorageProvider.ControlQueueVisibilityTimeout = settings.VisibilityTimeout;
    options.StorageProvider.WorkItemQueueVisibilityTimeout = settings.VisibilityTimeout;
});

using var host = builder.Build();
Console.Out.WriteLine($"worker {settings.WorkerId}: starting on hub {settings.HubName}");
await host.RunAsync();
