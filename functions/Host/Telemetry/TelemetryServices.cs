using Microsoft.Extensions.Configuration;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Serverless.Jobs.Scheduling;
using Serverless.Jobs.Telemetry;
using Serverless.Drops;
using Serverless.Host.Hosting;
using Serverless.Inference;

namespace Serverless.Host.Telemetry;

/// <summary>
/// OpenTelemetry for `serverless host`: the meters of the libraries (jobs, inference, drops) and of
/// the task hub, exported on <c>/metrics</c> in Prometheus' format; traces from DTFx's
/// ActivitySource with the job id added (<see cref="JobSpanProcessor"/>), sent by OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or its traces variant) is set.
/// </summary>
internal static class TelemetryServices
{
    /// <summary>
    /// The meters exported on <c>/metrics</c>: ours, and the runtime's own (<c>System.Runtime</c>: GC
    /// heap sizes, working set, thread pool), which tell a platform team whether a pod's memory is
    /// live objects or a heap the GC has not given back.
    /// </summary>
    public static IReadOnlyList<string> Meters { get; } =
        [JobMetrics.Meter.Name, InferenceMetrics.Meter.Name, DropMetrics.Meter.Name, ActivityMetrics.MeterName, TaskHubMetrics.MeterName, SchedulerMetrics.MeterName, "System.Runtime"];

    public static IServiceCollection AddHostTelemetry(this IServiceCollection services, IConfiguration configuration, HostRole role)
    {
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section)
            .Validate(o => o.TaskHubInterval >= TimeSpan.FromSeconds(1), $"{TelemetryOptions.Section}:taskHubInterval must be at least 00:00:01")
            .Validate(o => o.SchedulerInterval >= TimeSpan.FromSeconds(1), $"{TelemetryOptions.Section}:schedulerInterval must be at least 00:00:01").ValidateOnStart();
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]) || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]);
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("serverless", serviceInstanceId: Environment.MachineName + "-" + Environment.ProcessId)
                .AddAttributes([new("serverless.role", role.ToString().ToLowerInvariant())]))
            .WithMetrics(metrics => metrics.AddMeter([.. Meters]).AddPrometheusExporter())
            .WithTracing(tracing =>
            {
                tracing.AddSource(JobTracing.DurableTaskSource).AddProcessor(new JobSpanProcessor());
                if (otlp)
                    tracing.AddOtlpExporter();
            });
        if (role.RunsApi())
        {
            services.AddHostedService<TaskHubMetrics>();
            services.AddSingleton(sp =>
            {
                var view = sp.GetRequiredService<SchedulerView>();
                var client = sp.GetRequiredService<DurableTaskClient>();
                var logger = sp.GetRequiredService<ILogger<SchedulerMetrics>>();
                // Off, there is nothing to report and nothing is read.
                var off = Task.FromResult(new SchedulerSnapshot(false, 0, 0, [], [], []));
                var enabled = sp.GetRequiredService<IOptions<SchedulingOptions>>().Value.Enabled;
                // A scrape waits for a fresh read at most 2 s; a slower store answers with the previous copy.
                return new SchedulerSampler(ct => enabled ? view.ReadAsync(client, ct) : off, sp.GetRequiredService<IOptions<TelemetryOptions>>().Value.SchedulerInterval,
                    TimeSpan.FromSeconds(2), TimeProvider.System, e => logger.LogWarning(e, "Reading the scheduler's state for its metrics failed"));
            });
            services.AddHostedService<SchedulerMetrics>();
        }
        return services;
    }
}
