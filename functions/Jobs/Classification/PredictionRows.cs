using Serverless.BatchInference.Contracts;
using Serverless.Inference;
using Serverless.Storage.Results;

namespace Serverless.Jobs.Classification;

/// <summary>Converts predictions to the storage library's rows and counts them for the orchestrator.</summary>
public static class PredictionRows
{
    /// <summary>The row of a prediction; <paramref name="modelSha256"/> names the model that made it, where a job pinned one.</summary>
    public static PredictionRow From(Prediction prediction, string? modelSha256) => From(prediction) with { ModelSha256 = modelSha256 };

    /// <summary>The row with what the listing said of its image (ETag, size, last modified).</summary>
    public static PredictionRow WithListing(PredictionRow row, Serverless.Storage.SourceObject? listed) =>
        listed is null ? row : row with
        {
            ETag = listed.ETag, Size = listed.Size, LastModified = listed.LastModified,
            Columns = listed.Columns?.ToDictionary(c => c.Key, c => System.Text.Json.JsonDocument.Parse(c.Value).RootElement.Clone(), StringComparer.Ordinal),
        };

    /// <summary>The row of a prediction.</summary>
    public static PredictionRow From(Prediction prediction) => prediction.Error is { } error
        ? PredictionRow.Failure(prediction.Key, error.Code, error.Message)
        : PredictionRow.Success(prediction.Key, prediction.Top.Select(t => new LabelScore(t.Index, t.Label ?? t.Index.ToString(), t.Score)).ToArray()) with { Outputs = prediction.Outputs };

    public static JobCounts Count(IReadOnlyCollection<PredictionRow> rows, double seconds)
    {
        var failures = new Dictionary<string, long>(StringComparer.Ordinal);
        var classes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row.ErrorCode is { } code)
                failures[code] = failures.GetValueOrDefault(code) + 1;
            else if (row.Top.Count > 0)
                classes[row.Top[0].Label] = classes.GetValueOrDefault(row.Top[0].Label) + 1;
        }
        return new JobCounts
        {
            Images = rows.Count,
            Failed = rows.Count(r => r.Failed),
            FailuresByReason = failures,
            ClassHistogram = classes,
            ActivitySeconds = seconds,
        };
    }
}
