using System.Diagnostics.Metrics;
using DurableTask.Core;
using Serverless.Host.Durable;
using Serverless.Host.Telemetry;
using Serverless.Jobs;

namespace Serverless.Orchestrations.Tests.Host;

/// <summary>The serverless host times every activity run: the longest of each activity, failed runs included.</summary>
public sealed class ActivityMetricsTests
{
    [Fact]
    public async Task The_longest_run_of_each_activity_is_kept_whether_it_succeeded_or_failed()
    {
        // The gauge is the process's: names of this test only.
        var (slow, failing) = ($"Slow-{Guid.NewGuid():N}", $"Failing-{Guid.NewGuid():N}");
        using var shutdown = new ActivityShutdown();
        var drain = new ActivityDrain(shutdown);

        await Run(slow, TimeSpan.FromMilliseconds(300));
        await Run(slow, TimeSpan.Zero);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Run(failing, TimeSpan.FromMilliseconds(100), fail: true));

        var longest = Observe();
        Assert.InRange(longest[slow], 0.25, 60);
        Assert.InRange(longest[failing], 0.05, 60);
        Assert.Equal(0, drain.Running);

        Task<string> Run(string name, TimeSpan takes, bool fail = false) =>
            new DrainingActivity(name, new Timed(takes, fail), drain).RunAsync(new TaskContext(new OrchestrationInstance { InstanceId = "i" }), "null");
    }

    private static Dictionary<string, double> Observe()
    {
        var seen = new Dictionary<string, double>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ActivityMetrics.MeterName && instrument.Name == "serverless.activity.longest")
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) => seen[(string)tags[0].Value!] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }

    private sealed class Timed(TimeSpan takes, bool fail) : TaskActivity
    {
        public override async Task<string> RunAsync(TaskContext context, string input)
        {
            await Task.Delay(takes);
            return fail ? throw new InvalidOperationException("the activity failed") : "null";
        }

        public override string Run(TaskContext context, string input) => throw new NotSupportedException();
    }
}
