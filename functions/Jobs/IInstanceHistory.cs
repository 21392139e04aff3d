using System.Text.Json;

namespace Serverless.Jobs;

/// <summary>
/// An orchestration instance's history events, as the Durable Functions management API shows them
/// (<c>showHistory=true</c>). The engine's own history store provides it: the self-host reads
/// DurableTask.AzureStorage's history table; the Functions runtime serves its own routes.
/// </summary>
public interface IInstanceHistory
{
    /// <summary>The current execution's events, oldest first.</summary>
    Task<IReadOnlyList<JsonElement>> GetAsync(string instanceId, CancellationToken cancellationToken);
}
