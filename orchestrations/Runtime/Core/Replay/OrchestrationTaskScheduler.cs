namespace Serverless.Orchestrations.Core;

/// <summary>
/// Runs orchestrator code on the calling thread only, one continuation at a time, when the
/// executor asks (<see cref="RunUntilIdle"/>): every <c>await</c> in orchestrator code resumes
/// here, so the code is single-threaded and its order is fixed by the order of history events.
/// </summary>
internal sealed class OrchestrationTaskScheduler : TaskScheduler
{
    private readonly Queue<Task> _ready = new();
    private readonly Lock _gate = new();

    /// <summary>Runs queued continuations until none is ready (the code awaits something not yet completed).</summary>
    public void RunUntilIdle()
    {
        while (true)
        {
            Task? next;
            lock (_gate)
            {
                if (!_ready.TryDequeue(out next))
                    return;
            }
            TryExecuteTask(next);
        }
    }

    protected override void QueueTask(Task task)
    {
        lock (_gate)
            _ready.Enqueue(task);
    }

    // Never inline: continuations run only inside RunUntilIdle, in queue order.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks()
    {
        lock (_gate)
            return _ready.ToArray();
    }
}
