namespace Serverless.Inference;

/// <summary>One of the top-k classes of an image.</summary>
/// <param name="Index">Class index in the model's output.</param>
/// <param name="Label">The class label, or null when the model has no labels file.</param>
/// <param name="Score">Probability (softmax applied when the model outputs logits).</param>
public sealed record TopClass(int Index, string? Label, float Score);
