using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serverless.Orchestrations.Backends;
using Serverless.Orchestrations.Backends.AzureStorage;
using Serverless.Orchestrations.Worker;

namespace Serverless.Host.Hosting;

/// <summary>
/// Picks the task hub's storage: Azure Storage when <c>AzureWebJobsStorage</c> is set (Azurite
/// locally, a real account in the cloud), otherwise in memory, which only works when one
/// process runs both the API and the workers.
/// </summary>
internal static class OrchestrationBackendRegistration
{
    public static IServiceCollection AddOrchestrationBackend(this IServiceCollection services, IConfiguration configuration, HostRole role)
    {
        var connection = configuration[HostConfiguration.StorageConnectionSetting];
        if (string.IsNullOrWhiteSpace(connection))
        {
            if (role != HostRole.All)
                throw new InvalidOperationException(
                    $"--role {role.ToString().ToLowerInvariant()} needs a shared task hub: set {HostConfiguration.StorageConnectionSetting} (e.g. UseDevelopmentStorage=true for Azurite).");
            return services.AddInMemoryOrchestrationBackend();
        }

        services.AddSingleton(sp => new AzureStorageOrchestrationBackend(
            AzureStorageBackendOptions.FromDurableTaskOptions(sp.GetRequiredService<IOptions<DurableTaskOptions>>().Value, connection)));
        services.AddSingleton<IOrchestrationBackend>(sp => sp.GetRequiredService<AzureStorageOrchestrationBackend>());
        services.AddSingleton<IOrchestrationQueryBackend>(sp => sp.GetRequiredService<AzureStorageOrchestrationBackend>());
        return services;
    }
}
