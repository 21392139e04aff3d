namespace Serverless.Orchestrations.Backends.InMemory;

/// <summary>Settings of the in-memory backend.</summary>
public sealed class InMemoryBackendOptions
{
    /// <summary>How long an orchestration work item stays locked unless renewed.</summary>
    public TimeSpan OrchestrationLockTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long an activity work item stays locked unless renewed.</summary>
    public TimeSpan ActivityLockTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The clock (tests may substitute one).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
