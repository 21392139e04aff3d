using Microsoft.Extensions.Hosting;
using Serverless.Orchestrations.Backends;

namespace Serverless.Host.Hosting;

/// <summary>Creates the task hub's queues, tables and containers at start, so an API-only process can schedule before any worker ran.</summary>
internal sealed class TaskHubInitializer(IOrchestrationBackend backend) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => backend.CreateTaskHubAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
