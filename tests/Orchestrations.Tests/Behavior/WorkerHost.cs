using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serverless.Orchestrations.Backends;
using Serverless.Orchestrations.Worker;

namespace Serverless.Orchestrations.Tests.Behavior;

/// <summary>A real host running <see cref="DurableTaskWorker"/> on a given backend, as a worker process would.</summary>
public sealed class WorkerHost : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _stopped;

    private WorkerHost(IHost host) => _host = host;

    public static async Task<WorkerHost> StartAsync(BackendUnderTest backend, Action<DurableTaskRegistry> registry, Action<DurableTaskOptions> options)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(backend.Backend);
        builder.Services.AddSingleton(backend.Queries);
        builder.Services.AddDurableTaskWorker(registry);
        builder.Services.Configure(options);
        var host = builder.Build();
        await host.StartAsync();
        return new WorkerHost(host);
    }

    public DurableTaskWorker Worker => _host.Services.GetServices<IHostedService>().OfType<DurableTaskWorker>().Single();

    /// <summary>Stops the host: the worker finishes or abandons its in-flight work.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
            return;
        _stopped = true;
        await _host.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }
}
