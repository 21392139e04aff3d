using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Orchestrations.Backends;
using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Worker;

/// <summary>
/// The hosted service that runs orchestrations and activities from a task hub. Several worker
/// processes may share one hub. On shutdown it stops fetching, lets in-flight work finish for up
/// to <see cref="DurableTaskOptions.ShutdownTimeout"/>, then abandons what is left so another
/// worker picks it up at once.
/// </summary>
public sealed class DurableTaskWorker : BackgroundService
{
    private readonly IOrchestrationBackend _backend;
    private readonly DurableTaskOptions _options;
    private readonly ILogger _logger;
    private readonly OrchestrationDispatcher _orchestrations;
    private readonly ActivityDispatcher _activities;
    private readonly OrchestrationSessionCache _cache;
    private readonly WorkerSignals _signals;

    /// <summary>Creates the worker.</summary>
    public DurableTaskWorker(IOrchestrationBackend backend, DurableTaskRegistry registry, IServiceProvider services,
        IOptions<DurableTaskOptions> options, ILoggerFactory loggerFactory, TimeProvider? timeProvider = null)
    {
        _backend = backend;
        _options = options.Value;
        _logger = loggerFactory.CreateLogger<DurableTaskWorker>();
        var time = timeProvider ?? TimeProvider.System;
        var converter = DataConverter.Default;
        _cache = new OrchestrationSessionCache(_options.MaxCachedOrchestrations);
        _signals = new WorkerSignals(time);
        var runner = new OrchestrationTurnRunner(registry, services, converter, loggerFactory);
        _orchestrations = new OrchestrationDispatcher(backend, runner, _cache, _options, _signals, time, _logger);
        _activities = new ActivityDispatcher(backend, registry, services, converter, _options, _signals, time, _logger);
    }

    /// <summary>Instances currently held in memory between turns.</summary>
    public int CachedOrchestrations => _cache.Count;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _backend.CreateTaskHubAsync(stoppingToken).ConfigureAwait(false);
        await _backend.StartAsync(stoppingToken).ConfigureAwait(false);
        using var hardStop = new CancellationTokenSource();
        // A backend that sees every write (in-memory) wakes the pollers itself; otherwise only
        // this process's own work does, and the rest is found by polling.
        using var notifications = (_backend as IWorkAvailableNotifier)?.SubscribeWorkAvailable(_signals.Nudge);
        var polling = _options.StorageProvider;
        var orchestrationPoller = new WorkItemPoller<OrchestrationWorkItem>("orchestration", _options.MaxConcurrentOrchestratorFunctions,
            ct => _backend.GetOrchestrationWorkItemAsync(ct), _orchestrations.ProcessAsync, polling, _signals.Orchestrations, _logger);
        var activityPoller = new WorkItemPoller<ActivityWorkItem>("activity", _options.MaxConcurrentActivityFunctions,
            ct => _backend.GetActivityWorkItemAsync(ct), item => _activities.ProcessAsync(item, hardStop.Token), polling, _signals.Activities, _logger);
        _logger.LogInformation("Durable task worker started on hub {Hub}.", _options.HubName);

        await Task.WhenAll(orchestrationPoller.RunAsync(stoppingToken), activityPoller.RunAsync(stoppingToken)).ConfigureAwait(false);

        var drained = Task.WhenAll(orchestrationPoller.WhenDrained(), activityPoller.WhenDrained());
        if (await Task.WhenAny(drained, Task.Delay(_options.ShutdownTimeout, CancellationToken.None)).ConfigureAwait(false) != drained)
        {
            _logger.LogWarning("Shutdown timeout reached; abandoning in-flight activities.");
            hardStop.Cancel();
        }
        await drained.ConfigureAwait(false);
        _cache.Clear();
        await _backend.StopAsync(CancellationToken.None).ConfigureAwait(false);
        _logger.LogInformation("Durable task worker stopped.");
    }
}
