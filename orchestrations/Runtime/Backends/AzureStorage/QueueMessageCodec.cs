using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>Turns messages into queue text and back, offloading large ones through <see cref="LargePayloadStore"/>.</summary>
internal sealed class QueueMessageCodec(LargePayloadStore payloads)
{
    public Task<string> EncodeAsync(OrchestrationMessage message, CancellationToken cancellationToken) =>
        EncodeAsync(new QueueEnvelope { Message = message }, message.TargetInstanceId, cancellationToken);

    /// <summary>One queue message carrying every message of <paramref name="messages"/> (all for one instance).</summary>
    public Task<string> EncodeAsync(IReadOnlyList<OrchestrationMessage> messages, CancellationToken cancellationToken) =>
        messages.Count == 1
            ? EncodeAsync(messages[0], cancellationToken)
            : EncodeAsync(new QueueEnvelope { Messages = messages }, messages[0].TargetInstanceId, cancellationToken);

    public Task<string> EncodeAsync(ActivityRequest request, CancellationToken cancellationToken) =>
        EncodeAsync(request, priorDeliveries: 0, cancellationToken);

    /// <summary>One activity request that was delivered <paramref name="priorDeliveries"/> times already in another message.</summary>
    public Task<string> EncodeAsync(ActivityRequest request, int priorDeliveries, CancellationToken cancellationToken) =>
        EncodeAsync(new QueueEnvelope { Activity = request, PriorDeliveries = priorDeliveries > 0 ? priorDeliveries : null }, request.InstanceId, cancellationToken);

    /// <summary>Several activity requests of one instance in one work-item message.</summary>
    public Task<string> EncodeAsync(IReadOnlyList<ActivityRequest> requests, CancellationToken cancellationToken) =>
        requests.Count == 1
            ? EncodeAsync(requests[0], cancellationToken)
            : EncodeAsync(new QueueEnvelope { Activities = requests }, requests[0].InstanceId, cancellationToken);

    public async Task<QueueEnvelope> DecodeAsync(string text, CancellationToken cancellationToken)
    {
        var envelope = HistoryJson.Deserialize<QueueEnvelope>(text);
        if (envelope.Blob is null)
            return envelope;
        var full = await payloads.LoadAsync(new StoredPayload(null, envelope.Blob), cancellationToken).ConfigureAwait(false);
        return HistoryJson.Deserialize<QueueEnvelope>(full);
    }

    private async Task<string> EncodeAsync(QueueEnvelope envelope, string instanceId, CancellationToken cancellationToken)
    {
        var json = HistoryJson.Serialize(envelope);
        var stored = await payloads.StoreAsync(instanceId, json, cancellationToken).ConfigureAwait(false);
        return stored.BlobName is null ? json : HistoryJson.Serialize(new QueueEnvelope { Blob = stored.BlobName });
    }
}
