namespace Serverless.Host.Telemetry;

/// <summary>host.json's / the environment's <c>telemetry</c> section.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "telemetry";

    /// <summary>How often the API role samples the task hub's gauges (jobs by state, queue lengths).</summary>
    public TimeSpan TaskHubInterval { get; set; } = TimeSpan.FromSeconds(15);
}
