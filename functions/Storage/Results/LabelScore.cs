namespace Serverless.Storage.Results;

/// <summary>One of an image's top-k classes.</summary>
/// <param name="Index">Class index in the model's output.</param>
/// <param name="Label">Class label.</param>
/// <param name="Score">Probability (or score) of the class.</param>
public readonly record struct LabelScore(int Index, string Label, float Score);
