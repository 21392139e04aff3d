using Azure.Data.Tables;

namespace Serverless.Orchestrations.Tests.Support;

/// <summary>An orchestration's history as the Durable Task Framework's Azure Storage provider keeps it (the hub's History table).</summary>
public static class TaskHubHistory
{
    /// <summary>
    /// The event types of the episode that completed the instance's latest execution, from its
    /// OrchestratorStarted to its ExecutionCompleted; empty when that execution has not completed.
    /// A TimerFired among them means the completion waited for a timer: the framework does not complete an
    /// orchestration while a timer it created is neither fired nor cancelled.
    /// </summary>
    public static async Task<IReadOnlyList<string>> CompletingEpisodeAsync(string connectionString, string hubName, string instanceId)
    {
        var table = new TableServiceClient(connectionString).GetTableClient(hubName + "History");
        var events = new List<(string Row, string Execution, string Type)>();
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == instanceId))
            if (row.GetString("EventType") is { } type)
                events.Add((row.RowKey, row.GetString("ExecutionId") ?? "", type));
        var end = events.FindLastIndex(e => e.Type == "ExecutionCompleted");
        if (end < 0)
            return [];
        // Row keys are the events' sequence numbers, fixed-width, so the query returns them in order.
        var execution = events[end].Execution;
        var start = events.FindLastIndex(end, e => e.Type == "OrchestratorStarted" && e.Execution == execution);
        return events.Skip(start).Take(end - start + 1).Select(e => e.Type).ToList();
    }
}
