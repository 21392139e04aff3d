using System.Text.Json;
using DurableTask.AzureStorage;
using DurableTask.Core.History;
using Serverless.Jobs;

namespace Serverless.Host.Durable;

/// <summary>An instance's history from DurableTask.AzureStorage's history table.</summary>
internal sealed class AzureStorageInstanceHistory(AzureStorageOrchestrationService service) : IInstanceHistory
{
    /// <summary>The current execution's history events: their type (by name), time, id, and name where they have one.</summary>
    public async Task<IReadOnlyList<JsonElement>> GetAsync(string instanceId, CancellationToken cancellationToken)
    {
        using var history = JsonDocument.Parse(await service.GetOrchestrationHistoryAsync(instanceId, null).ConfigureAwait(false));
        return history.RootElement.EnumerateArray().Select(e =>
        {
            var type = e.TryGetProperty("EventType", out var t) && t.TryGetInt32(out var number) ? ((EventType)number).ToString() : t.ToString();
            return JsonSerializer.SerializeToElement(new
            {
                eventType = type,
                timestamp = e.TryGetProperty("Timestamp", out var time) ? time.GetString() : null,
                eventId = e.TryGetProperty("EventId", out var eventId) && eventId.TryGetInt32(out var n) ? n : -1,
                name = e.TryGetProperty("Name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null,
            });
        }).ToList();
    }
}
