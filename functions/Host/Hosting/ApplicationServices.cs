using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Drops.Watching;
using Serverless.Host.Durable;
using Serverless.Host.Security;
using Serverless.Host.Telemetry;
using Serverless.Activities;
using Serverless.Jobs;

namespace Serverless.Host.Hosting;

/// <summary>Registers everything the host needs for its role (eShop's AddApplicationServices).</summary>
internal static class ApplicationServices
{
    public static IServiceCollection AddApplicationServices(this IServiceCollection services, IConfiguration configuration, HostRole role)
    {
        services.AddProblemDetails();
        services.AddBatchInference(configuration);
        services.AddTaskHub(configuration, role);
        services.AddBlobDrops(configuration, role.RunsWorker());
        services.AddHostTelemetry(configuration, role);
        if (role.RunsApi())
            services.AddHostedService<HostKeysStartup>();
        return services;
    }
}
