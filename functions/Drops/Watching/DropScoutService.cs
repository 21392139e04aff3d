using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using Serverless.Drops;
using Serverless.Jobs;

namespace Serverless.Drops.Watching;

/// <summary>The api role's hosted service that runs the <see cref="DropScout"/> when drops are configured.</summary>
internal sealed class DropScoutService(IOptions<DropOptions> options, IDropReceiptStore store, DropNotificationQueue queue,
    JobResources resources, ILoggerFactory loggers) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.Value.IsEmpty
            ? Task.CompletedTask
            : new DropScout(options.Value, store, queue, resources.Connections, loggers.CreateLogger("Serverless.Drops")).RunAsync(stoppingToken);
}
