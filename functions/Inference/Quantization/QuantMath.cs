namespace Serverless.Inference.Quantization;

/// <summary>
/// The arithmetic of ONNX's linear quantization, q = saturate(round(x / scale) + zero_point)
/// (round half to even, as QuantizeLinear does).
/// </summary>
internal static class QuantMath
{
    /// <summary>
    /// uint8 asymmetric parameters of an activation range. The range always holds 0 (so 0 is
    /// exact, and a zero point of 0 for a range that starts there, which is what lets a folded
    /// Relu saturate exactly); a range of width 0 gets scale 1.
    /// </summary>
    public static (float Scale, byte ZeroPoint) Activation(float min, float max)
    {
        min = MathF.Min(min, 0f);
        max = MathF.Max(max, 0f);
        var scale = (max - min) / 255f;
        if (!(scale > 0f) || !float.IsFinite(scale))
        {
            return (1f, 0);
        }

        var zeroPoint = Math.Clamp(MathF.Round(-min / scale, MidpointRounding.ToEven), 0f, 255f);
        return (scale, (byte)zeroPoint);
    }

    /// <summary>
    /// Symmetric int8 per channel along <paramref name="axis"/> of a weight of shape
    /// <paramref name="dims"/>: scale = max|w| / <paramref name="limit"/>, zero point 0, values in
    /// [-limit, limit] (127, or 64 for 7-bit weights).
    /// </summary>
    public static (sbyte[] Values, float[] Scales) WeightPerChannel(float[] weights, IReadOnlyList<long> dims, int axis, int limit = 127)
    {
        var channels = (int)dims[axis];
        long inner = 1;
        for (var d = axis + 1; d < dims.Count; d++)
        {
            inner *= dims[d];
        }

        var scales = new float[channels];
        for (var i = 0; i < weights.Length; i++)
        {
            var c = (int)(i / inner % channels);
            scales[c] = MathF.Max(scales[c], MathF.Abs(weights[i]));
        }

        for (var c = 0; c < channels; c++)
        {
            scales[c] = scales[c] > 0f ? scales[c] / limit : 1f;
        }

        var values = new sbyte[weights.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            var c = (int)(i / inner % channels);
            values[i] = (sbyte)Math.Clamp(MathF.Round(weights[i] / scales[c], MidpointRounding.ToEven), -limit, limit);
        }

        return (values, scales);
    }

    /// <summary>int32 bias with scale input scale x weight scale per channel, zero point 0 (what QLinearConv adds to its accumulator).</summary>
    public static (int[] Values, float[] Scales) Bias(float[] bias, float inputScale, float[] weightScales)
    {
        var values = new int[bias.Length];
        var scales = new float[bias.Length];
        for (var c = 0; c < bias.Length; c++)
        {
            scales[c] = inputScale * weightScales[weightScales.Length == 1 ? 0 : c];
            var q = Math.Round(bias[c] / (double)scales[c], MidpointRounding.ToEven);
            values[c] = (int)Math.Clamp(q, int.MinValue, int.MaxValue);
        }

        return (values, scales);
    }
}
