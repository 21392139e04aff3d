namespace Serverless.Inference;

/// <summary>A batch whose images are decoded into <see cref="Tensor"/>; failed slots carry their error.</summary>
internal sealed record PreparedBatch(BatchTensor Tensor, IReadOnlyList<ImageInput> Inputs, PredictionError?[] Errors);
