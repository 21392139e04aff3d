using Microsoft.DurableTask.Client;
using Serverless.Host.Telemetry;

namespace Serverless.Orchestrations.Tests.Host;

/// <summary>
/// The jobs-by-state gauge reads the jobs in flight each sample and the finished ones in full only
/// every tenth: its cost follows the work in flight, not the history of the hub.
/// </summary>
public sealed class JobStateCounterTests
{
    private readonly Dictionary<string, OrchestrationRuntimeStatus> hub = new(StringComparer.Ordinal);
    private readonly List<OrchestrationQuery> queries = [];

    [Fact]
    public async Task A_hub_of_many_finished_jobs_costs_a_sample_only_its_jobs_in_flight()
    {
        for (var i = 0; i < 5000; i++)
            hub[$"done-{i:D5}"] = OrchestrationRuntimeStatus.Completed;
        hub["run-1"] = OrchestrationRuntimeStatus.Running;
        hub["run-2"] = OrchestrationRuntimeStatus.Running;
        hub["wait-1"] = OrchestrationRuntimeStatus.Pending;
        var counter = Counter();

        var first = await counter.SampleAsync(default);
        Assert.Equal(5000, first[OrchestrationRuntimeStatus.Completed]);
        Assert.Equal(2, first[OrchestrationRuntimeStatus.Running]);

        // One job finishes, one fails: the next sample reads 3 rows in flight and looks up the 2 that left.
        hub["run-1"] = OrchestrationRuntimeStatus.Completed;
        hub["wait-1"] = OrchestrationRuntimeStatus.Failed;
        queries.Clear();
        var second = await counter.SampleAsync(default);

        Assert.Equal((5001L, 1L, 1L, 0L), (second[OrchestrationRuntimeStatus.Completed], second[OrchestrationRuntimeStatus.Failed], second[OrchestrationRuntimeStatus.Running], second[OrchestrationRuntimeStatus.Pending]));
        Assert.True(counter.LastRowsRead <= 3, $"read {counter.LastRowsRead} rows");
        Assert.All(queries, q => Assert.DoesNotContain(OrchestrationRuntimeStatus.Completed, q.Statuses!));
    }

    [Fact]
    public async Task The_finished_states_are_counted_in_full_every_tenth_sample()
    {
        hub["done"] = OrchestrationRuntimeStatus.Completed;
        var counter = Counter();
        await counter.SampleAsync(default);

        // A purge is not seen by the in-flight query...
        hub.Remove("done");
        for (var i = 1; i < JobStateCounter.FullCountEvery; i++)
            Assert.Equal(1, (await counter.SampleAsync(default))[OrchestrationRuntimeStatus.Completed]);

        // ...until the next full count.
        Assert.Equal(0, (await counter.SampleAsync(default))[OrchestrationRuntimeStatus.Completed]);
    }

    private JobStateCounter Counter() => new(Query, (id, _) => Task.FromResult<OrchestrationMetadata?>(hub.TryGetValue(id, out var s) ? Meta(id, s) : null), _ => true);

    private async IAsyncEnumerable<OrchestrationMetadata> Query(OrchestrationQuery query)
    {
        queries.Add(query);
        // What the instance table's status filter returns, in id order.
        foreach (var (id, state) in hub.OrderBy(p => p.Key, StringComparer.Ordinal).ToList())
        {
            if (query.Statuses is null || query.Statuses.Contains(state))
                yield return Meta(id, state);
        }
        await Task.CompletedTask;
    }

    private static OrchestrationMetadata Meta(string id, OrchestrationRuntimeStatus state) => new("BatchJob", id) { RuntimeStatus = state };
}
