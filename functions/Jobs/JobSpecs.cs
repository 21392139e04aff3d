using System.Text.Json;
using Microsoft.DurableTask.Client;
using Serverless.BatchInference.Contracts;

namespace Serverless.Jobs;

/// <summary>A batch job's spec, read from the input its orchestration was started with (<see cref="JobState"/>).</summary>
public static class JobSpecs
{
    /// <summary>The job's spec; null when the instance is unknown or its input holds none.</summary>
    /// <exception cref="JsonException">The stored input is not JSON of a job's state.</exception>
    public static JobSpec? Of(OrchestrationMetadata? metadata) =>
        metadata?.SerializedInput is { Length: > 0 } input ? JsonSerializer.Deserialize<JobState>(input, BatchJson.Options)?.Spec : null;
}
