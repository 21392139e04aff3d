using System.Text.Json.Serialization;

namespace Serverless.Inference;

/// <summary>
/// The result for one image: its top classes best first, or an error with an empty
/// <see cref="Top"/>. Every input image gets exactly one.
/// </summary>
/// <param name="Key">The input's key.</param>
/// <param name="Top">Top-k classes, best first; empty on error.</param>
/// <param name="Error">Null on success.</param>
public sealed record Prediction(string Key, IReadOnlyList<TopClass> Top, PredictionError? Error)
{
    /// <summary>
    /// The named outputs the classifier was asked for (a job's <c>outputs</c>), one float vector each
    /// per image; null when none were asked for or the image failed.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, float[]>? Outputs { get; init; }

    /// <summary>A failed image.</summary>
    public static Prediction Failed(string key, string code, string message) => new(key, [], new PredictionError(code, message));

    /// <summary>True when the image was classified.</summary>
    [JsonIgnore]
    public bool Succeeded => Error is null;
}
