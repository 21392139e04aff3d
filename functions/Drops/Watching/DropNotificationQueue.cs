using System.Text.Json;
using Azure.Storage.Queues;
using Serverless.Drops;

namespace Serverless.Drops.Watching;

/// <summary>
/// The queue notifications travel on between processes: <c>{hub}-drops</c> in the task hub's
/// account (or <c>drops:notificationQueue</c>). The HTTP endpoint forwards what it receives here;
/// Event Grid can deliver BlobCreated events here directly; every worker reads it.
/// </summary>
public sealed class DropNotificationQueue(QueueClient queue)
{
    /// <summary>The queue <paramref name="name"/> of the task hub's account.</summary>
    public static DropNotificationQueue Create(Serverless.Jobs.Configuration.TaskHubAccount account, string name) =>
        new(account.Queue(name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None }));

    public static string DefaultName(string hubName) => hubName.ToLowerInvariant() + "-drops";

    public QueueClient Client => queue;

    public async Task EnqueueAsync(IReadOnlyList<DroppedObject> objects, CancellationToken cancellationToken = default)
    {
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        // Keep messages under the 64 KB limit: the listing finds every object anyway, the message only says where to look.
        foreach (var chunk in objects.DistinctBy(o => (o.Kind, o.Container, Folder(o.Key))).Chunk(100))
        {
            var body = JsonSerializer.Serialize(new
            {
                objects = chunk.Select(o => new { kind = o.Kind.ToString(), container = o.Container, key = o.Key[..Math.Min(o.Key.Length, 400)] }),
            });
            await queue.SendMessageAsync(body, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Folder(string key) => key.LastIndexOf('/') is var slash and >= 0 ? key[..slash] : "";
}
