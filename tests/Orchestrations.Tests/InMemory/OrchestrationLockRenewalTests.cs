using Serverless.Orchestrations.Backends.InMemory;
using Serverless.Orchestrations.Client;
using Serverless.Orchestrations.Core;
using Serverless.Orchestrations.Tests.Behavior;

namespace Serverless.Orchestrations.Tests.InMemory;

/// <summary>An orchestration turn longer than the instance lock (a long replay) keeps the lock by renewing it.</summary>
public sealed class OrchestrationLockRenewalTests
{
    [Fact]
    public async Task A_turn_that_outlasts_the_lock_renews_it_and_commits_once()
    {
        // The turn below blocks a pool thread, and the test host keeps others busy: with the
        // default minimum (one per core) the renewal's timer continuations may wait for the
        // pool's slow thread injection longer than the lock lasts.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), io);
        var backend = new InMemoryOrchestrationBackend(new InMemoryBackendOptions { OrchestrationLockTimeout = TimeSpan.FromMilliseconds(500) });
        var client = new DurableTaskClient(backend, backend);
        var runs = 0;
        await using var host = await WorkerHost.StartAsync(new BackendUnderTest(backend, backend), r => r
            .AddOrchestratorFunc<object?, int>("SlowTurn", (ctx, _) =>
            {
                if (!ctx.IsReplaying)
                {
                    Interlocked.Increment(ref runs);
                    Thread.Sleep(TimeSpan.FromMilliseconds(1500)); // three lock timeouts of work in one turn
                }
                return Task.FromResult(42);
            }), o =>
            {
                o.LockRenewalInterval = TimeSpan.FromMilliseconds(50);
                o.StorageProvider.MinQueuePollingInterval = TimeSpan.FromMilliseconds(1);
                o.StorageProvider.MaxQueuePollingInterval = TimeSpan.FromMilliseconds(20);
                o.StorageProvider.MaxDequeueCount = 1;
                o.ShutdownTimeout = TimeSpan.FromMilliseconds(200);
            });

        var id = await client.ScheduleNewOrchestrationInstanceAsync("SlowTurn");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var result = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);

        // Without renewal the lock expires mid-turn: the commit is refused, the start message is
        // delivered again (a second run) and, past one delivery, the instance fails as poison.
        Assert.True(result.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{result.RuntimeStatus}: {result.FailureDetails}");
        Assert.Equal(42, result.ReadOutputAs<int>());
        Assert.Equal(1, Volatile.Read(ref runs));
    }
}
