using System.Text.Json;
using System.Text.Json.Nodes;
using DurableTask.Core;
using DurableTask.Core.History;

namespace Serverless.Host.Durable;

/// <summary>
/// The engine's history events (DurableTask.Core's <see cref="HistoryEvent"/>s as JSON) in the shape
/// the Durable Functions extension gives its <c>showHistory</c> answers, so its clients read ours:
/// types and statuses by name; a task's or sub-orchestration's scheduling folded into its
/// completion or failure (<c>FunctionName</c>, <c>ScheduledTime</c>); the orchestrator's own
/// started/completed rows, event ids, replay flags and inputs left out; results only when asked.
/// </summary>
internal static class HistoryShape
{
    public static List<JsonObject> Shape(JsonArray events, bool withOutputs)
    {
        var rows = new List<JsonObject?>(events.Count);
        // Scheduling rows by kind and event id: a completion names them by TaskScheduledId.
        var scheduled = new Dictionary<(EventType, int), int>();
        foreach (var node in events)
        {
            if (node is not JsonObject row || !TryType(row["EventType"], out var type))
            {
                rows.Add(node?.DeepClone() as JsonObject);
                continue;
            }
            row = (JsonObject)row.DeepClone();
            row["EventType"] = type.ToString();
            var eventId = row["EventId"]?.GetValue<int>() ?? -1;
            switch (type)
            {
                case EventType.OrchestratorStarted or EventType.OrchestratorCompleted:
                    continue;
                case EventType.TaskScheduled or EventType.SubOrchestrationInstanceCreated:
                    scheduled[(type, eventId)] = rows.Count;
                    row.Remove("Version");
                    row.Remove("Input");
                    break;
                case EventType.TaskCompleted or EventType.TaskFailed:
                    Fold(rows, row, scheduled, EventType.TaskScheduled, withOutputs && type == EventType.TaskCompleted);
                    break;
                case EventType.SubOrchestrationInstanceCompleted or EventType.SubOrchestrationInstanceFailed:
                    Fold(rows, row, scheduled, EventType.SubOrchestrationInstanceCreated, withOutputs && type == EventType.SubOrchestrationInstanceCompleted);
                    break;
                case EventType.ExecutionStarted:
                    row["FunctionName"] = row["Name"]?.DeepClone();
                    foreach (var field in new[] { "Name", "OrchestrationInstance", "ParentInstance", "Version", "Tags", "Input" })
                        row.Remove(field);
                    break;
                case EventType.ExecutionCompleted:
                    if (row["OrchestrationStatus"] is JsonValue status && status.TryGetValue<int>(out var number))
                        row["OrchestrationStatus"] = ((OrchestrationStatus)number).ToString();
                    Result(row, withOutputs);
                    break;
                case EventType.ExecutionTerminated or EventType.EventRaised:
                    row.Remove("Input");
                    break;
                case EventType.TimerFired:
                    row.Remove("TimerId");
                    break;
            }
            row.Remove("EventId");
            row.Remove("IsPlayed");
            rows.Add(row);
        }
        return rows.OfType<JsonObject>().ToList();
    }

    /// <summary>A completion takes its scheduling row's name and time; that row goes.</summary>
    private static void Fold(List<JsonObject?> rows, JsonObject row, Dictionary<(EventType, int), int> scheduled, EventType kind, bool withResult)
    {
        var id = row["TaskScheduledId"]?.GetValue<int>() ?? -1;
        if (scheduled.Remove((kind, id), out var index) && rows[index] is { } schedule)
        {
            row["ScheduledTime"] = schedule["Timestamp"]?.DeepClone();
            row["FunctionName"] = schedule["Name"]?.DeepClone();
            rows[index] = null;
        }
        row.Remove("TaskScheduledId");
        Result(row, withResult);
    }

    /// <summary>The result as JSON (a string when it is not JSON), or none.</summary>
    private static void Result(JsonObject row, bool withResult)
    {
        if (!withResult)
        {
            row.Remove("Result");
            return;
        }
        if (row["Result"] is JsonValue value && value.TryGetValue<string>(out var text))
        {
            try
            {
                row["Result"] = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                // Plain text (a terminate reason, an exception message): kept as it is.
            }
        }
    }

    private static bool TryType(JsonNode? node, out EventType type)
    {
        type = default;
        return node is JsonValue value && (value.TryGetValue<int>(out var number) ? Enum.IsDefined(type = (EventType)number)
            : value.TryGetValue<string>(out var name) && Enum.TryParse(name, out type));
    }
}
