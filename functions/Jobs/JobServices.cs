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
        services.AddOptions<Scheduling.SchedulingOptions>().BindConfiguration(Scheduling.SchedulingOptions.SectionName)
            .Validate(o => o.Slots >= 1, "scheduling:slots must be 1 or more: the work units queued or running at once across the deployment").ValidateOnStart();
        services.AddSingleton<Scheduling.SchedulerControl>();
        services.AddSingleton<Scheduling.SchedulerView>();
        services.AddSingleton<Scheduling.JobScheduling>();
        services.AddSingleton(_ => StorageConnectionsFactory.Create(configuration));
        // The task hub's account, by connection string or identity: every table, blob and queue beside the engine's.
        services.TryAddSingleton(_ => TaskHubAccount.FromConfiguration(configuration));
        services.AddSingleton(_ => InferenceOptionsFactory.Create(configuration));
        services.AddSingleton<IJobStorage, JobStorage>();
        services.AddSingleton<JobResources>();
        // A replaced model's old session is disposed once no classifier uses it.
        services.AddSingleton(_ => new ClassifierCache(configuration.GetValue<int?>("inference:maxClassifiers") ?? 8, ModelCache.Shared.DisposeIfRetired));
        services.AddSingleton<ModelsRoot>();
        services.AddSingleton<ActivityShutdown>();
        services.AddSingleton<SuspectIsolation>();
        services.AddSingleton(sp => new AttemptLedger(new AttemptLedgerOptions
        {
            Account = sp.GetRequiredService<TaskHubAccount>(),
            TableName = AttemptLedgerOptions.TableNameFor(TaskHubSettings.HubName(configuration)),
            MaxAttempts = TaskHubSettings.MaxDequeueCount(configuration),
        }));
        services.AddSingleton(sp => new UnitProgress(sp.GetRequiredService<TaskHubAccount>(), TaskHubSettings.HubName(configuration),
            TimeSpan.FromSeconds(configuration.GetValue<double?>($"{JobDefaults.SectionName}:unitProgressSeconds") ?? 1)));
        services.AddSingleton<LocalRoot>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<DashboardJobs>();
        services.AddSingleton<JobImages>();
        services.AddSingleton<JobSubmission>();
        services.AddSingleton<Reruns.RerunSubmission>();
        services.AddSingleton<Reruns.JobResults>();
        services.AddSingleton<JobManagement>();
        services.AddSingleton(sp => new JobIndex(sp.GetRequiredService<TaskHubAccount>(), TaskHubSettings.HubName(configuration)));
        services.AddSingleton<JobListing>();
        // Tenants: read again every tenants:reloadSeconds, so a change applies without a restart.
        services.AddSingleton(sp => new TenantStore(sp.GetRequiredService<TaskHubAccount>(), TaskHubSettings.HubName(configuration),
            TimeSpan.FromSeconds(configuration.GetValue<double?>(TenantStore.ReloadSetting) ?? 2),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<TenantStore>>()));
        services.AddSingleton<TenantAdministration>();
        services.AddSingleton<TenantPolicy>();
        services.AddSingleton<ClassifyGate>();
        return services;
    }
}
