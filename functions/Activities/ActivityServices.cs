using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Jobs;

namespace Serverless.Activities;

/// <summary>Registers what both hosts run: the application core and the job's activities over it.</summary>
public static class ActivityServices
{
    /// <summary>
    /// Adds the core (<see cref="JobServices.AddJobs"/>) and every activity of <see cref="BatchActivities.All"/>.
    /// A <c>DurableTaskClient</c> must be registered by the host (the self-host's over DTFx, or the Functions extension's).
    /// </summary>
    public static IServiceCollection AddBatchInference(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddJobs(configuration);
        foreach (var (_, type) in BatchActivities.All)
            services.AddTransient(type);
        return services;
    }
}
