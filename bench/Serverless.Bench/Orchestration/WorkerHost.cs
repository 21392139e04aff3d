using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serverless.Orchestrations;
using Serverless.Orchestrations.Backends;
using Serverless.Orchestrations.Client;
using Serverless.Orchestrations.Worker;

namespace Serverless.Bench;

/// <summary>One in-process worker (the runtime's hosted service) and a client on a backend, as a worker process runs them.</summary>
internal sealed class WorkerHost : IAsyncDisposable
{
    private readonly IHost host;

    private WorkerHost(IHost host, DurableTaskClient client)
    {
        this.host = host;
        Client = client;
    }

    public DurableTaskClient Client { get; }

    public static async Task<WorkerHost> StartAsync(IOrchestrationBackend backend, IOrchestrationQueryBackend queries, Action<DurableTaskRegistry> registry, Action<DurableTaskOptions> options)
    {
        await backend.CreateTaskHubAsync();
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(backend);
        builder.Services.AddSingleton(queries);
        builder.Services.AddDurableTaskWorker(registry);
        builder.Services.Configure(options);
        var host = builder.Build();
        await host.StartAsync();
        return new WorkerHost(host, new DurableTaskClient(backend, queries));
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}
