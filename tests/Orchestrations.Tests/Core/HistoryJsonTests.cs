using Serverless.Orchestrations.Backends;
using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Tests.Core;

public sealed class HistoryJsonTests
{
    public static TheoryData<HistoryEvent> Events()
    {
        var t = new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc);
        var failure = new FailureDetails("System.Exception", "outer", "at X", new FailureDetails("System.IO.IOException", "inner"));
        return new TheoryData<HistoryEvent>
        {
            new ExecutionStartedEvent(-1, t, "Orch", "i", "e", "{\"a\":1}", new ParentInstance("P", "pi", "pe", 3), t),
            new OrchestratorStartedEvent(-1, t),
            new ExecutionCompletedEvent(-1, t, OrchestrationRuntimeStatus.Failed, null, failure),
            new ExecutionTerminatedEvent(-1, t, "\"why\""),
            new TaskScheduledEvent(4, t, "Act", "1"),
            new TaskCompletedEvent(-1, t, 4, "2"),
            new TaskFailedEvent(-1, t, 4, failure),
            new SubOrchestrationInstanceCreatedEvent(5, t, "Child", "c", null),
            new SubOrchestrationInstanceCompletedEvent(-1, t, 5, "3"),
            new SubOrchestrationInstanceFailedEvent(-1, t, 5, failure),
            new TimerCreatedEvent(6, t, t.AddMinutes(1)),
            new TimerFiredEvent(-1, t, 6, t.AddMinutes(1)),
            new EventRaisedEvent(-1, t, "go", "true"),
            new EventSentEvent(7, t, "other", "go", null),
        };
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void Every_history_event_round_trips_through_json_as_its_own_type(HistoryEvent historyEvent)
    {
        var json = HistoryJson.Serialize(historyEvent);
        var back = HistoryJson.Deserialize<HistoryEvent>(json);

        Assert.Equal(historyEvent.GetType(), back.GetType());
        Assert.Equal(json, HistoryJson.Serialize(back));
        Assert.Contains("\"$type\"", json);
    }

    [Fact]
    public void Messages_round_trip_with_target_and_visibility()
    {
        var message = new OrchestrationMessage("id", "target", new TimerFiredEvent(-1, DateTime.UnixEpoch, 1, DateTime.UnixEpoch))
        {
            TargetExecutionId = "e",
            VisibleAtUtc = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        };

        var back = HistoryJson.Deserialize<OrchestrationMessage>(HistoryJson.Serialize(message));

        Assert.Equal(message, back);
    }

    [Fact]
    public void New_guid_is_the_rfc_4122_version_5_uuid_of_the_dtfx_name()
    {
        // Expected value computed independently: Python uuid.uuid5(UUID('9e952958-...'), name).
        var guid = DeterministicGuid.Create(DeterministicGuid.OrchestrationNamespace, "abc_2024-01-02T03:04:05.0000000Z_0");

        Assert.Equal(Guid.Parse("a1239379-7719-5253-84a4-29155a59f930"), guid);
    }
}
