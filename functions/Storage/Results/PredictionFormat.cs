namespace Serverless.Storage.Results;

/// <summary>Format of the merged predictions file.</summary>
public enum PredictionFormat
{
    /// <summary><c>predictions.jsonl</c>: one JSON object per line.</summary>
    Jsonl,

    /// <summary><c>predictions.csv</c>: header plus one row per image.</summary>
    Csv,
}
