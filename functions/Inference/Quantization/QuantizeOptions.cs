namespace Serverless.Inference.Quantization;

/// <summary>How activation ranges are taken from the calibration images.</summary>
public enum CalibrationMethod
{
    /// <summary>The smallest and largest value seen: nothing saturates on the calibration images.</summary>
    MinMax,

    /// <summary>
    /// The <see cref="QuantizeOptions.Percentile"/> quantiles of each tensor's values (a histogram
    /// over the min/max range, a second pass): rare outliers saturate, the bulk gets finer steps.
    /// </summary>
    Percentile,
}

/// <summary>Settings of <see cref="ModelQuantizer"/>.</summary>
public sealed record QuantizeOptions
{
    /// <summary>How activation ranges are calibrated.</summary>
    public CalibrationMethod Method { get; init; } = CalibrationMethod.MinMax;

    /// <summary>The upper quantile kept for <see cref="CalibrationMethod.Percentile"/>, in percent (the lower is 100 minus it).</summary>
    public double Percentile { get; init; } = 99.999;

    /// <summary>
    /// Names of Conv/Gemm/MatMul nodes left in float (their weights and output), as ONNX Runtime's
    /// quantizer's nodes_to_exclude: for the layers whose error a model amplifies.
    /// </summary>
    public IReadOnlySet<string> ExcludedNodes { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Leave the convolution that reads the image in float (its 3 input channels give the integer
    /// kernels little to do). Off: with <see cref="ReduceRange"/> it quantizes as well as the rest
    /// (the small CNN of tests/fidelity agreed on 200 of 200 photos with it quantized; 124 with
    /// 8-bit weights, where vpmaddubsw saturates on its 0..255 pixels).
    /// </summary>
    public bool KeepFirstConvFloat { get; init; }

    /// <summary>
    /// Weights in [-64, 64] (7 bits) instead of [-127, 127]. Without VNNI, ONNX Runtime multiplies
    /// u8 x s8 with vpmaddubsw, which adds pairs of products in int16: 2 x 255 x 127 saturates it,
    /// 2 x 255 x 64 does not (ONNX Runtime's quantizer calls this reduce_range). On by default: a
    /// model is written once and runs on whatever CPU the workers have; on this AVX2 machine the
    /// imprinted MobileNetV2 agreed with its float self on 186 of 200 photos with 8-bit weights,
    /// 200 with 7-bit ones (ResNet-50: 200 with 7-bit ones).
    /// </summary>
    public bool ReduceRange { get; init; } = true;

    /// <summary>Calibration images used at most (the first ones of the folder, in key order).</summary>
    public int MaxImages { get; init; } = 128;

    /// <summary>Images per calibration run when the graph's batch dimension is symbolic.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Preset of the model's preprocessing, as for classify (null: what its files say).</summary>
    public string? Preset { get; init; }

    /// <summary>Session settings of the calibration runs.</summary>
    public InferenceOptions Inference { get; init; } = InferenceOptions.Default;
}
