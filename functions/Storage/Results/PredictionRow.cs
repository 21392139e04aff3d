using System.Text.Json.Serialization;

namespace Serverless.Storage.Results;

/// <summary>
/// One output row: an image's top-k classes, or why it failed. Defined here, not in the
/// inference library, so storage does not depend on inference.
/// </summary>
/// <param name="Key">The image's key in its source.</param>
/// <param name="Top">Top-k classes, best first; empty when the image failed.</param>
/// <param name="ErrorCode">Failure reason code (e.g. <c>decode_failed</c>); null on success.</param>
/// <param name="ErrorMessage">Human-readable failure detail; null on success.</param>
public sealed record PredictionRow(string Key, IReadOnlyList<LabelScore> Top, string? ErrorCode = null, string? ErrorMessage = null)
{
    /// <summary>The SHA-256 (lowercase hex) of the model file the job pinned; null where no job model is known (classify's rows).</summary>
    public string? ModelSha256 { get; init; }

    /// <summary>The image's ETag as its source listed it; null where the store gives none (local folders).</summary>
    [JsonPropertyName("etag")]
    public string? ETag { get; init; }

    /// <summary>The image's size in bytes as listed.</summary>
    public long? Size { get; init; }

    /// <summary>When the image was last modified, as listed (object stores).</summary>
    public DateTimeOffset? LastModified { get; init; }

    /// <summary>A manifest row's other columns, as top-level fields of the JSON row (their header names kept).</summary>
    [JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? Columns { get; init; }

    /// <summary>
    /// The job's named model outputs for this image (<c>outputs</c>), one float vector each: written
    /// as top-level fields of those names in JSON (<see cref="PredictionJson"/>), as list columns in
    /// Parquet. Null when the job names none, or the image failed.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, float[]>? Outputs { get; init; }

    /// <summary>Whether the image failed.</summary>
    [JsonIgnore]
    public bool Failed => ErrorCode is not null;

    /// <summary>A successful row.</summary>
    public static PredictionRow Success(string key, IReadOnlyList<LabelScore> top) => new(key, top);

    /// <summary>A failed row.</summary>
    public static PredictionRow Failure(string key, string errorCode, string? errorMessage) => new(key, [], errorCode, errorMessage);
}
