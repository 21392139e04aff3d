namespace Serverless.Host.Telemetry;

/// <summary>host.json's / the environment's <c>telemetry</c> section.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "telemetry";

    /// <summary>
    /// How often the API role samples the task hub's gauges (jobs by state, queue lengths). 60 s:
    /// every API replica samples, and a job's state changes over minutes, not seconds.
    /// </summary>
    public TimeSpan TaskHubInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The oldest copy of the scheduler's state the scheduler's gauges answer a scrape with (5 s): a
    /// scrape reads it again when it is older, so scrapes cost at most one read of the scheduler
    /// entity per interval, and none while nobody scrapes.
    /// </summary>
    public TimeSpan SchedulerInterval { get; set; } = TimeSpan.FromSeconds(5);
}
