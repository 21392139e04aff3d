using System.Text.Json;
using Serverless.Orchestrations;
using Serverless.Orchestrations.Client;

namespace Serverless.Host.Apis;

/// <summary>A job's status in the shape of the Durable Functions HTTP API.</summary>
public sealed record JobStatusResponse(
    string Name,
    string InstanceId,
    string RuntimeStatus,
    JsonElement? Input,
    JsonElement? CustomStatus,
    JsonElement? Output,
    DateTime CreatedTime,
    DateTime LastUpdatedTime,
    FailureDetails? FailureDetails)
{
    public static JobStatusResponse From(OrchestrationMetadata metadata, bool withInput) => new(
        metadata.Name,
        metadata.InstanceId,
        metadata.RuntimeStatus.ToString(),
        withInput ? Parse(metadata.SerializedInput) : null,
        Parse(metadata.SerializedCustomStatus),
        Parse(metadata.SerializedOutput),
        metadata.CreatedAt,
        metadata.LastUpdatedAt,
        metadata.FailureDetails);

    private static JsonElement? Parse(string? json) => string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<JsonElement>(json);
}

/// <summary>The body of 202 Accepted: where to poll, terminate and purge (Durable Functions' management URLs).</summary>
public sealed record JobManagementUrls(string Id, string StatusQueryGetUri, string SendEventPostUri, string TerminatePostUri, string PurgeHistoryDeleteUri);

/// <summary>A page of jobs.</summary>
public sealed record JobListResponse(IReadOnlyList<JobStatusResponse> Jobs, string? ContinuationToken);
