using System.Diagnostics.Metrics;
using DurableTask.AzureStorage;
using DurableTask.AzureStorage.Monitoring;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.BatchInference.Contracts;

namespace Serverless.Host.Telemetry;

/// <summary>
/// The task hub's gauges (meter <see cref="MeterName"/>), sampled every
/// <see cref="TelemetryOptions.TaskHubInterval"/> (60 s) by the API role: jobs by state (bounded by
/// the jobs in flight, the finished ones counted in full every tenth sample: <see cref="JobStateCounter"/>) and the length and age of the oldest
/// message of each queue (DTFx's own <see cref="DisconnectedPerformanceMonitor"/>, what Durable
/// Functions' scale controller reads). The hub is shared: only API processes report it, so a
/// scaled-out worker fleet does not multiply the series.
/// </summary>
internal sealed class TaskHubMetrics : BackgroundService
{
    public const string MeterName = "Serverless.TaskHub";

    /// <summary>The states a job can be in (the client's enum also has obsolete ones).</summary>
    public static readonly OrchestrationRuntimeStatus[] Reported =
    [
        OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Suspended,
        OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated,
    ];

    private readonly DurableTaskClient client;
    private readonly DisconnectedPerformanceMonitor monitor;
    private readonly string hub;
    private readonly TimeSpan interval;
    private readonly ILogger<TaskHubMetrics> logger;
    private readonly Meter meter;
    private readonly JobStateCounter jobStates;
    private volatile Snapshot? latest;

    public TaskHubMetrics(DurableTaskClient client, AzureStorageOrchestrationServiceSettings settings, IOptions<TelemetryOptions> options, IMeterFactory meters, ILogger<TaskHubMetrics> logger)
    {
        this.client = client;
        this.logger = logger;
        monitor = new DisconnectedPerformanceMonitor(settings);
        hub = settings.TaskHubName.ToLowerInvariant();
        interval = options.Value.TaskHubInterval;
        jobStates = new JobStateCounter(client.GetAllInstancesAsync, (id, ct) => client.GetInstanceAsync(id, getInputsAndOutputs: false, ct),
            instance => instance.Name == ActivityNames.BatchJob);
        meter = meters.Create(MeterName);
        meter.CreateObservableGauge("serverless.jobs", () => latest?.Jobs ?? [], "{job}", "Jobs in the task hub by runtime state.");
        meter.CreateObservableGauge("serverless.taskhub.queue.length", () => latest?.QueueLengths ?? [], "{message}", "Approximate messages in each queue of the task hub.");
        meter.CreateObservableGauge("serverless.taskhub.queue.latency", () => latest?.QueueLatencies ?? [], "s", "Age of the oldest visible message of each queue of the task hub.");
    }

    /// <summary>When the gauges were last sampled (null before the first sample).</summary>
    public DateTimeOffset? SampledAt => latest?.At;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                latest = await SampleAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The previous sample stays: a gauge that stops changing, not one that disappears.
                logger.LogWarning(e, "Sampling the task hub's metrics failed");
            }
            try
            {
                await Task.Delay(interval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<Snapshot> SampleAsync(CancellationToken cancellationToken)
    {
        var states = await jobStates.SampleAsync(cancellationToken).ConfigureAwait(false);
        var jobs = states.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("state", p.Key.ToString()))).ToArray();

        var heartbeat = await monitor.PulseAsync().ConfigureAwait(false);
        var lengths = new List<Measurement<long>>();
        var latencies = new List<Measurement<double>>();
        if (heartbeat is not null)
        {
            Add($"{hub}-workitems", heartbeat.WorkItemQueueLength, heartbeat.WorkItemQueueLatency);
            for (var i = 0; i < heartbeat.ControlQueueLengths.Count; i++)
                Add($"{hub}-control-{i:D2}", heartbeat.ControlQueueLengths[i], i < heartbeat.ControlQueueLatencies.Count ? heartbeat.ControlQueueLatencies[i] : TimeSpan.Zero);
        }
        return new Snapshot(DateTimeOffset.UtcNow, jobs, lengths, latencies);

        void Add(string queue, long length, TimeSpan latency)
        {
            var tag = new KeyValuePair<string, object?>("queue", queue);
            lengths.Add(new Measurement<long>(length, tag));
            latencies.Add(new Measurement<double>(latency.TotalSeconds, tag));
        }
    }

    public override void Dispose()
    {
        meter.Dispose();
        base.Dispose();
    }

    private sealed record Snapshot(DateTimeOffset At, IReadOnlyList<Measurement<long>> Jobs, IReadOnlyList<Measurement<long>> QueueLengths, IReadOnlyList<Measurement<double>> QueueLatencies);
}
