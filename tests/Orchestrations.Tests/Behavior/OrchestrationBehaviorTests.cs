using Serverless.Orchestrations.Client;
using Serverless.Orchestrations.Worker;

namespace Serverless.Orchestrations.Tests.Behavior;

/// <summary>
/// The behavioural suite every backend must pass. A subclass only says how to build a fresh,
/// empty task hub (<see cref="CreateBackendAsync"/>); the tests run real workers (hosted
/// services in a host) and a real client against it.
/// </summary>
public abstract partial class OrchestrationBehaviorTests : IAsyncLifetime
{
    private readonly List<WorkerHost> _hosts = [];
    private BackendUnderTest? _backend;
    private DurableTaskClient? _client;

    /// <summary>Builds a fresh, empty task hub for one test.</summary>
    protected abstract Task<BackendUnderTest> CreateBackendAsync();

    /// <summary>How long any one wait in a test may take before it fails.</summary>
    protected virtual TimeSpan WaitTimeout => TimeSpan.FromSeconds(30);

    /// <summary>Worker settings for tests: fast polling, short shutdown.</summary>
    protected virtual void ConfigureOptions(DurableTaskOptions options)
    {
        options.StorageProvider.MinQueuePollingInterval = TimeSpan.FromMilliseconds(1);
        options.StorageProvider.MaxQueuePollingInterval = TimeSpan.FromMilliseconds(20);
        options.ShutdownTimeout = TimeSpan.FromMilliseconds(200);
        options.MaxConcurrentActivityFunctions = 32;
        options.MaxConcurrentOrchestratorFunctions = 16;
    }

    protected BackendUnderTest Backend => _backend ?? throw new InvalidOperationException("Not initialized.");

    protected DurableTaskClient Client => _client ?? throw new InvalidOperationException("Not initialized.");

    public async Task InitializeAsync()
    {
        _backend = await CreateBackendAsync();
        await _backend.Backend.CreateTaskHubAsync();
        _client = new DurableTaskClient(_backend.Backend, _backend.Queries);
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
            await host.DisposeAsync();
        if (_backend?.Cleanup is { } cleanup)
            await cleanup();
    }

    /// <summary>Starts a worker host on the test's task hub.</summary>
    protected async Task<WorkerHost> StartWorkerAsync(Action<DurableTaskRegistry> registry, Action<DurableTaskOptions>? tweak = null)
    {
        var host = await WorkerHost.StartAsync(Backend, registry, options =>
        {
            ConfigureOptions(options);
            tweak?.Invoke(options);
        });
        _hosts.Add(host);
        return host;
    }

    /// <summary>Schedules an instance and waits until it finishes.</summary>
    protected async Task<OrchestrationMetadata> RunAsync(string orchestrator, object? input = null, string? instanceId = null)
    {
        var id = await Client.ScheduleNewOrchestrationInstanceAsync(orchestrator, input, new StartOrchestrationOptions(instanceId));
        return await WaitForCompletionAsync(id);
    }

    protected async Task<OrchestrationMetadata> WaitForCompletionAsync(string instanceId)
    {
        using var timeout = new CancellationTokenSource(WaitTimeout);
        return await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
    }

    /// <summary>Polls <paramref name="condition"/> until true, failing the test after <see cref="WaitTimeout"/>.</summary>
    protected async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + WaitTimeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Timed out waiting for {what}.");
            await Task.Delay(5);
        }
    }

    protected Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition()), what);

    protected async Task WaitForStatusAsync(string instanceId, OrchestrationRuntimeStatus status) =>
        await WaitUntilAsync(async () => (await Client.GetInstanceAsync(instanceId))?.RuntimeStatus == status, $"'{instanceId}' to be {status}");
}
