using Serverless.Orchestrations.Backends;

namespace Serverless.Orchestrations.Worker;

/// <summary>The wake-up signals of one worker's two pollers.</summary>
internal sealed class WorkerSignals(TimeProvider time)
{
    /// <summary>The orchestration poller's signal.</summary>
    public PollingSignal Orchestrations { get; } = new(time);

    /// <summary>The activity poller's signal.</summary>
    public PollingSignal Activities { get; } = new(time);

    /// <summary>Nudges the pollers of <paramref name="kinds"/> (a backend's notification).</summary>
    public void Nudge(WorkItemKinds kinds)
    {
        if (kinds.HasFlag(WorkItemKinds.Orchestration))
            Orchestrations.Nudge();
        if (kinds.HasFlag(WorkItemKinds.Activity))
            Activities.Nudge();
    }
}
