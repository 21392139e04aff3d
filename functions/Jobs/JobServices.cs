using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Jobs.Attempts;
using Serverless.Jobs.Configuration;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Classification;
using Serverless.Jobs.Progress;
using Serverless.Inference;
using Serverless.Jobs.Tenancy;
using Microsoft.Extensions.Logging;

namespace Serverless.Jobs;

/// <summary>Registers the application core both hosts share: storage, the model cache, the attempt ledger, job submission, listing and management.</summary>
public static class JobServices
{
    /// <summary>
    /// Adds the shared services. A <c>DurableTaskClient</c> must be registered by the host
    /// (the self-host's over DTFx, or the Functions extension's).
    /// </summary>
    public static IServiceCollection AddJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<JobDefaults>().BindConfiguration(JobDefaults.SectionName);
        services.AddSingleton(_ => StorageConnectionsFactory.Create(configuration));
        services.AddSingleton(_ => InferenceOptionsFactory.Create(configuration));
        services.AddSingleton<IJobStorage, JobStorage>();
        services.AddSingleton<JobResources>();
        // A replaced model's old session is disposed once no classifier uses it.
        services.AddSingleton(_ => new ClassifierCache(configuration.GetValue<int?>("inference:maxClassifiers") ?? 8, ModelCache.Shared.DisposeIfRetired));
        services.AddSingleton<ModelsRoot>();
        services.AddSingleton<ActivityShutdown>();
        services.AddSingleton<SuspectIsolation>();
        services.AddSingleton(_ => new AttemptLedger(new AttemptLedgerOptions
        {
            ConnectionString = Connection(configuration),
            TableName = AttemptLedgerOptions.TableNameFor(TaskHubSettings.HubName(configuration)),
            MaxAttempts = TaskHubSettings.MaxDequeueCount(configuration),
        }));
        services.AddSingleton(_ => new UnitProgress(Connection(configuration), TaskHubSettings.HubName(configuration),
            TimeSpan.FromSeconds(configuration.GetValue<double?>($"{JobDefaults.SectionName}:unitProgressSeconds") ?? 1)));
        services.AddSingleton<LocalRoot>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<DashboardJobs>();
        services.AddSingleton<JobImages>();
        services.AddSingleton<JobSubmission>();
        services.AddSingleton<Reruns.RerunSubmission>();
        services.AddSingleton<Reruns.JobResults>();
        services.AddSingleton<JobManagement>();
        services.AddSingleton(_ => new JobIndex(Connection(configuration), TaskHubSettings.HubName(configuration)));
        services.AddSingleton<JobListing>();
        // Tenants: read again every tenants:reloadSeconds, so a change applies without a restart.
        services.AddSingleton(sp => new TenantStore(Connection(configuration), TaskHubSettings.HubName(configuration),
            TimeSpan.FromSeconds(configuration.GetValue<double?>(TenantStore.ReloadSetting) ?? 2),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<TenantStore>>()));
        services.AddSingleton<TenantAdministration>();
        services.AddSingleton<TenantPolicy>();
        services.AddSingleton<ClassifyGate>();
        return services;
    }

    private static string Connection(IConfiguration configuration) => TaskHubSettings.Connection(configuration)
        ?? throw new InvalidOperationException(TaskHubSettings.Identity(configuration) is not null
            ? $"{TaskHubSettings.ConnectionSetting} is set by identity ({TaskHubSettings.ConnectionSetting}__accountName), which the task hub and Blob sources accept but the job index and attempt ledger do not yet: set the connection string too"
            : $"{TaskHubSettings.ConnectionSetting} is not set: the task hub needs Azure Storage (UseDevelopmentStorage=true for Azurite)");
}
