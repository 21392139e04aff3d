using Microsoft.Extensions.Logging;
using Serverless.Drops;

namespace Serverless.Drops.Watching;

/// <summary>Reads the notification queue in a worker and pokes the watchers the notified objects fall under.</summary>
internal sealed class DropNotificationListener(DropNotificationQueue queue, DropSignals signals, ILogger logger)
{
    private static readonly TimeSpan IdleDelay = TimeSpan.FromSeconds(1);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            await queue.Client.CreateIfNotExistsAsync(cancellationToken: stoppingToken).ConfigureAwait(false);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var messages = (await queue.Client.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30), stoppingToken).ConfigureAwait(false)).Value;
                    foreach (var message in messages)
                    {
                        var objects = DropNotificationParser.Parse(message.Body.ToString());
                        var poked = signals.Notify(objects);
                        logger.LogDebug("Drop notification: {Objects} objects, {Watchers} watchers poked", objects.Count, poked);
                        await queue.Client.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken).ConfigureAwait(false);
                    }
                    if (messages.Length == 0)
                        await Task.Delay(IdleDelay, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Reading drop notifications failed; trying again");
                    await Task.Delay(IdleDelay * 5, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
