using DurableTask.AzureStorage;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Jobs.Configuration;
using Serverless.BatchInference.Contracts;
using Serverless.Host.Hosting;

namespace Serverless.Host.Durable;

/// <summary>Registers the task hub (DTFx on Azure Storage), its client, and in worker processes the durable worker.</summary>
internal static class TaskHubServices
{
    public static IServiceCollection AddTaskHub(this IServiceCollection services, IConfiguration configuration, HostRole role)
    {
        var storage = TaskHubSettingsFactory.Provider(configuration) ?? throw new InvalidOperationException(
            $"serverless host needs a task hub in Azure Storage and {TaskHubSettings.ConnectionSetting} is not set " +
            $"(a connection string, or {TaskHubSettings.ConnectionSetting}__accountName with a managed identity). " +
            $"Locally: local/stack.sh start (Azurite), then {TaskHubSettings.ConnectionSetting}=UseDevelopmentStorage=true; " +
            "`serverless classify` needs no server.");
        services.AddOptions<TaskHubOptions>().BindConfiguration(TaskHubSettings.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TaskHubOptions>, TaskHubOptionsValidator>();
        services.AddSingleton(sp => TaskHubSettingsFactory.Create(
            sp.GetRequiredService<IOptions<TaskHubOptions>>().Value, storage, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => new AzureStorageOrchestrationService(sp.GetRequiredService<AzureStorageOrchestrationServiceSettings>()));
        services.AddSingleton<DurableTaskClient>(sp => new AzureStorageDurableTaskClient(sp.GetRequiredService<AzureStorageOrchestrationService>(), BatchJson.Converter));
        services.AddSingleton<Serverless.Jobs.IInstanceHistory, AzureStorageInstanceHistory>();
        services.AddHostedService<TaskHubInitializer>();
        if (role.RunsWorker())
        {
            services.AddSingleton<ActivityDrain>();
            services.AddHostedService<TaskHubWorkerService>();
            // The host's own stop deadline (30 s by default) must leave the drain and the engine's stop room to finish.
            services.AddOptions<HostOptions>().Configure<IOptions<TaskHubOptions>>((host, hub) =>
                host.ShutdownTimeout = hub.Value.ShutdownDrainTimeout + TaskHubOptions.StopAfterDrain);
        }
        return services;
    }
}
