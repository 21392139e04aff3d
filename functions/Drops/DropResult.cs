using System.Text.Json;
using Serverless.Storage.Results;

namespace Serverless.Drops;

/// <summary>
/// The result file of one dropped image version: its prediction (or the image's error code), the
/// version it is for, and the claim that wrote it.
/// </summary>
public sealed record DropResult(
    string Key,
    string ETag,
    IReadOnlyList<LabelScore> Top,
    string? ErrorCode,
    string? ErrorMessage,
    string Model,
    string ClaimId,
    string Worker,
    DateTimeOffset ClassifiedAt)
{
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, PredictionJson.Options);

    public static DropResult? Parse(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<DropResult>(json, PredictionJson.Options);
}
