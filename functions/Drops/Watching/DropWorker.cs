using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Jobs;
using Serverless.Drops;

namespace Serverless.Drops.Watching;

/// <summary>The worker-role hosted service that runs one watcher per configured image prefix and jobs prefix.</summary>
internal sealed class DropWorker(IOptions<DropOptions> options, IDropReceiptStore store, JobResources resources,
    JobSubmission submission, DurableTaskClient client, DropSignals signals, IServiceProvider services, ILoggerFactory loggers) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.IsEmpty)
            return;
        var logger = loggers.CreateLogger("Serverless.Drops");
        var owner = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
        var claims = new DropClaims(store, settings, owner, TimeProvider.System);
        await InitializeStoreAsync(logger, stoppingToken).ConfigureAwait(false);

        var watchers = settings.Locations
            .Select(l => new DropLocationWatcher(l, settings, claims, resources, signals, logger).RunAsync(stoppingToken))
            .Concat(settings.Jobs.Select(j => new JobDropWatcher(j, settings, claims, resources, submission, client, signals, logger).RunAsync(stoppingToken)));
        var listening = services.GetService(typeof(DropNotificationQueue)) is DropNotificationQueue queue
            ? new DropNotificationListener(queue, signals, logger).RunAsync(stoppingToken)
            : Task.CompletedTask;
        await Task.WhenAll(watchers.Append(listening)).ConfigureAwait(false);
    }

    private async Task InitializeStoreAsync(ILogger logger, CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.InitializeAsync(stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested && attempt < 10)
            {
                logger.LogWarning(ex, "Creating the drop receipts store failed (attempt {Attempt}); retrying", attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, attempt * 2)), stoppingToken).ConfigureAwait(false);
            }
        }
    }
}
