namespace Serverless.Inference;

/// <summary>Why an image has no classes.</summary>
/// <param name="Code">One of <see cref="PredictionErrorCodes"/>.</param>
/// <param name="Message">A human-readable explanation.</param>
public sealed record PredictionError(string Code, string Message);
