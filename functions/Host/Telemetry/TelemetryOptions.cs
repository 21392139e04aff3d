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
}
