using System.Text.Json;
using System.Text.Json.Nodes;
using DurableTask.AzureStorage;
using Serverless.Jobs;

namespace Serverless.Host.Durable;

/// <summary>An instance's history from DurableTask.AzureStorage's history table, shaped as Durable Functions shows it (<see cref="HistoryShape"/>).</summary>
internal sealed class AzureStorageInstanceHistory(AzureStorageOrchestrationService service) : IInstanceHistory
{
    /// <inheritdoc/>
    public async Task<(IReadOnlyList<JsonElement> Events, int Omitted)> GetAsync(string instanceId, bool withOutputs, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var json = await service.GetOrchestrationHistoryAsync(instanceId, null).ConfigureAwait(false);
        if (string.IsNullOrEmpty(json) || JsonNode.Parse(json) is not JsonArray events)
            return ([], 0);
        var shaped = HistoryShape.Shape(events, withOutputs);
        var omitted = Math.Max(0, shaped.Count - IInstanceHistory.MaxEvents);
        return (shaped.Skip(omitted).Select(e => JsonSerializer.SerializeToElement(e)).ToList(), omitted);
    }
}
