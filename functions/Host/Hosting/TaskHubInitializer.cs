using DurableTask.AzureStorage;
using Microsoft.Extensions.Hosting;

namespace Serverless.Host.Hosting;

/// <summary>Creates the task hub's queues, tables and containers at start, so an API-only process can schedule before any worker ran.</summary>
internal sealed class TaskHubInitializer(AzureStorageOrchestrationService service) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => service.CreateIfNotExistsAsync();

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
