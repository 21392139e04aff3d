using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.DurableTask.Client;

namespace Serverless.Jobs;

/// <summary>A job's status in the shape of the Durable Functions HTTP API (<c>historyEvents</c> only when asked for).</summary>
public sealed record JobStatusResponse(
    string Name,
    string InstanceId,
    string RuntimeStatus,
    JsonElement? Input,
    JsonElement? CustomStatus,
    JsonElement? Output,
    DateTime CreatedTime,
    DateTime LastUpdatedTime,
    JobFailure? FailureDetails,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<JsonElement>? HistoryEvents = null)
{
    /// <summary>The job's tenant, shown in lists (null, and left out: no tenant).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Tenant { get; init; }

    public static JobStatusResponse From(OrchestrationMetadata metadata, bool withInput) => new(
        metadata.Name,
        metadata.InstanceId,
        metadata.RuntimeStatus.ToString(),
        withInput ? Parse(metadata.SerializedInput) : null,
        Parse(metadata.SerializedCustomStatus),
        Parse(metadata.SerializedOutput),
        metadata.CreatedAt.UtcDateTime,
        metadata.LastUpdatedAt.UtcDateTime,
        metadata.FailureDetails is { } failure ? new JobFailure(failure.ErrorType, failure.ErrorMessage) : null);

    private static JsonElement? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
            return null;
        try
        {
            return JsonSerializer.Deserialize<JsonElement>(json);
        }
        catch (JsonException)
        {
            // Not ours (a terminate reason written as plain text by another client): keep it as a string.
            return JsonSerializer.SerializeToElement(json);
        }
    }
}

/// <summary>Why a job failed: the error's type and message (its stack trace stays in the worker's log).</summary>
public sealed record JobFailure(string ErrorType, string ErrorMessage);

/// <summary>The body of 202 Accepted: where to poll, terminate and purge (Durable Functions' management URLs).</summary>
public sealed record JobManagementUrls(string Id, string StatusQueryGetUri, string SendEventPostUri, string TerminatePostUri, string PurgeHistoryDeleteUri);

/// <summary>A page of jobs.</summary>
public sealed record JobListResponse(IReadOnlyList<JobStatusResponse> Jobs, string? ContinuationToken);
