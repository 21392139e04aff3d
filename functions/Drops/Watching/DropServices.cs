using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serverless.Jobs.Configuration;
using Serverless.Drops;

namespace Serverless.Drops.Watching;

/// <summary>Registers blob-drop processing (host.json's <c>drops</c> section): the watchers in worker processes, the scout in an api-only one.</summary>
public static class DropServices
{
    public static IServiceCollection AddBlobDrops(this IServiceCollection services, IConfiguration configuration, bool runsWorkers)
    {
        services.AddOptions<DropOptions>().BindConfiguration(DropOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DropOptions>, DropOptionsValidator>();
        services.AddSingleton<DropSignals>();
        // The task hub's account (connection string or identity); without one the host does not start.
        var configured = TaskHubSettings.Connection(configuration) is not null || TaskHubSettings.Identity(configuration) is not null;
        if (configured)
        {
            services.AddSingleton(sp => DropNotificationQueue.Create(sp.GetRequiredService<TaskHubAccount>(),
                sp.GetRequiredService<IOptions<DropOptions>>().Value.NotificationQueue
                ?? DropNotificationQueue.DefaultName(TaskHubSettings.HubName(configuration))));
        }
        // The host does not start without the task hub's storage, where the receipts live too.
        services.AddSingleton<IDropReceiptStore>(sp => TableDropReceiptStore.Create(sp.GetRequiredService<TaskHubAccount>(), TaskHubSettings.HubName(configuration)));
        if (runsWorkers)
            services.AddHostedService<DropWorker>();
        else if (configured)
            // Workers may be scaled to zero: the api, always up, wakes them when drops wait (DropScout).
            services.AddHostedService<DropScoutService>();
        return services;
    }
}
