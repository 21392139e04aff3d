namespace Serverless.Orchestrations.Worker;

/// <summary>
/// Settings of the durable runtime, bound from host.json's <c>extensions:durableTask</c> section
/// (the shape Azure Functions uses: hub name and storage settings under <c>storageProvider</c>,
/// concurrency at the top level).
/// </summary>
public sealed class DurableTaskOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "extensions:durableTask";

    /// <summary>The task hub: every resource of the backend is named after it.</summary>
    public string HubName { get; set; } = "ServerlessHub";

    /// <summary>Activities run at the same time in one worker process.</summary>
    public int MaxConcurrentActivityFunctions { get; set; } = Environment.ProcessorCount * 10;

    /// <summary>Orchestration turns run at the same time in one worker process.</summary>
    public int MaxConcurrentOrchestratorFunctions { get; set; } = Environment.ProcessorCount * 10;

    /// <summary>Most instances whose replayed state the worker keeps in memory between turns (0 disables the cache).</summary>
    public int MaxCachedOrchestrations { get; set; } = 1024;

    /// <summary>How often in-flight work items renew their locks.</summary>
    public TimeSpan LockRenewalInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long shutdown waits for in-flight work before abandoning it.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>Storage settings (Azure Functions' <c>storageProvider</c> object).</summary>
    public DurableTaskStorageOptions StorageProvider { get; set; } = new();
}
