using System.Text.Json;

namespace Serverless.Jobs;

/// <summary>
/// An orchestration instance's history events, as the Durable Functions management API shows them
/// (<c>showHistory=true</c>): <c>EventType</c> by name, <c>Timestamp</c>, <c>FunctionName</c>, a
/// scheduled task folded into its completion with <c>ScheduledTime</c>, no orchestrator rows, and
/// <c>Result</c> only when asked. The engine's own history store provides it: the self-host reads
/// DurableTask.AzureStorage's history table; the Functions runtime serves its own routes.
/// </summary>
public interface IInstanceHistory
{
    /// <summary>The most events a status carries: the newest ones, a large job's history is longer.</summary>
    public const int MaxEvents = 1000;

    /// <summary>The current execution's events, oldest first (at most <see cref="MaxEvents"/>, the newest), and how many older ones were left out.</summary>
    Task<(IReadOnlyList<JsonElement> Events, int Omitted)> GetAsync(string instanceId, bool withOutputs, CancellationToken cancellationToken);
}
