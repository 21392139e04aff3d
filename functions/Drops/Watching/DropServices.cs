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
        var connection = TaskHubSettings.Connection(configuration);
        if (!string.IsNullOrWhiteSpace(connection))
        {
            services.AddSingleton(sp => DropNotificationQueue.Create(connection,
                sp.GetRequiredService<IOptions<DropOptions>>().Value.NotificationQueue
                ?? DropNotificationQueue.DefaultName(TaskHubSettings.HubName(configuration))));
        }
        // The host does not start without the task hub's storage, where the receipts live too.
        services.AddSingleton<IDropReceiptStore>(_ => TableDropReceiptStore.Create(
            connection ?? throw new InvalidOperationException($"{TaskHubSettings.ConnectionSetting} is not set"), TaskHubSettings.HubName(configuration)));
        if (runsWorkers)
            services.AddHostedService<DropWorker>();
        else if (!string.IsNullOrWhiteSpace(connection))
            // Workers may be scaled to zero: the api, always up, wakes them when drops wait (DropScout).
            services.AddHostedService<DropScoutService>();
        return services;
    }
}
