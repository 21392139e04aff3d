using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.BatchInference;
using Serverless.BatchInference.Contracts;
using Serverless.Host.Activities;
using Serverless.Host.Apis;
using Serverless.Host.Drops;
using Serverless.Host.Security;
using Serverless.Inference;
using Serverless.Orchestrations;
using Serverless.Orchestrations.Worker;

namespace Serverless.Host.Hosting;

/// <summary>Registers everything the host needs for its role (eShop's AddApplicationServices).</summary>
internal static class ApplicationServices
{
    public static IServiceCollection AddApplicationServices(this IServiceCollection services, IConfiguration configuration, HostRole role)
    {
        services.AddOptions<JobDefaults>().BindConfiguration(JobDefaults.SectionName);
        services.AddDurableTaskOptions();
        services.AddProblemDetails();
        services.AddOrchestrationBackend(configuration, role);
        services.AddDurableTaskClient();
        services.AddHostedService<TaskHubInitializer>();
        services.AddSingleton(_ => StorageConnectionsFactory.Create(configuration));
        services.AddSingleton(_ => InferenceOptionsFactory.Create(configuration));
        services.AddSingleton<JobResources>();
        services.AddSingleton<LocalRoot>();
        services.AddSingleton<JobSubmission>();
        services.AddBlobDrops(configuration, role);
        if (role.RunsApi())
            services.AddHostedService<HostKeysStartup>();
        if (role.RunsWorker())
            services.AddDurableTaskWorker(registry => registry.AddBatchInferenceOrchestrators().AddBatchInferenceActivities());
        return services;
    }

    private static DurableTaskRegistry AddBatchInferenceActivities(this DurableTaskRegistry registry) =>
        registry
            .AddActivity<CheckModelActivity>(ActivityNames.CheckModel)
            .AddActivity<ListSourcePageActivity>(ActivityNames.ListSourcePage)
            .AddActivity<ClassifyBatchActivity>(ActivityNames.ClassifyBatch)
            .AddActivity<RecordFailuresActivity>(ActivityNames.RecordFailures)
            .AddActivity<WriteResultsActivity>(ActivityNames.WriteResults);
}
