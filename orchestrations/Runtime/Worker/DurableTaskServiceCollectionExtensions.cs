using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Orchestrations.Backends;
using Serverless.Orchestrations.Backends.InMemory;
using Serverless.Orchestrations.Client;

namespace Serverless.Orchestrations.Worker;

/// <summary>Registration of the durable runtime in a host.</summary>
public static class DurableTaskServiceCollectionExtensions
{
    /// <summary>
    /// Adds the worker (a hosted service) with the orchestrators and activities
    /// <paramref name="configure"/> registers, and binds <see cref="DurableTaskOptions"/> from
    /// <c>extensions:durableTask</c>. A backend must be registered as well.
    /// </summary>
    public static IServiceCollection AddDurableTaskWorker(this IServiceCollection services, Action<DurableTaskRegistry> configure)
    {
        var registry = new DurableTaskRegistry();
        configure(registry);
        services.AddSingleton(registry);
        services.AddDurableTaskOptions();
        services.AddHostedService<DurableTaskWorker>();
        return services;
    }

    /// <summary>Adds <see cref="DurableTaskClient"/> over the registered backend.</summary>
    public static IServiceCollection AddDurableTaskClient(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new DurableTaskClient(
            sp.GetRequiredService<IOrchestrationBackend>(), sp.GetRequiredService<IOrchestrationQueryBackend>()));
        return services;
    }

    /// <summary>Binds <see cref="DurableTaskOptions"/> to the <c>extensions:durableTask</c> configuration section.</summary>
    public static IServiceCollection AddDurableTaskOptions(this IServiceCollection services)
    {
        services.AddOptions<DurableTaskOptions>().BindConfiguration(DurableTaskOptions.SectionName);
        return services;
    }

    /// <summary>Uses an in-memory task hub (this one, or a new one).</summary>
    public static IServiceCollection AddInMemoryOrchestrationBackend(this IServiceCollection services, InMemoryOrchestrationBackend? backend = null)
    {
        backend ??= new InMemoryOrchestrationBackend();
        services.AddSingleton<IOrchestrationBackend>(backend);
        services.AddSingleton<IOrchestrationQueryBackend>(backend);
        return services;
    }
}
