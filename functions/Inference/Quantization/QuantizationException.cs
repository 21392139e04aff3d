namespace Serverless.Inference.Quantization;

/// <summary>A model or calibration folder that cannot be quantized, with the reason in one sentence.</summary>
public sealed class QuantizationException(string message, Exception? inner = null) : Exception(message, inner);
