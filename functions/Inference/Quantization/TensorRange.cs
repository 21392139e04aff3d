using System.Numerics;

namespace Serverless.Inference.Quantization;

/// <summary>The values one activation tensor took over the calibration images: min/max, then optionally a histogram.</summary>
internal sealed class TensorRange
{
    private const int Bins = 4096;
    private long[]? histogram;
    private long count;

    public float Min { get; private set; } = float.PositiveInfinity;

    public float Max { get; private set; } = float.NegativeInfinity;

    /// <summary>First pass: widens the range to hold <paramref name="values"/>.</summary>
    public void Observe(ReadOnlySpan<float> values)
    {
        var (min, max) = MinMax(values);
        Min = MathF.Min(Min, min);
        Max = MathF.Max(Max, max);
    }

    /// <summary>Second pass: counts <paramref name="values"/> in bins over the first pass's range.</summary>
    public void Count(ReadOnlySpan<float> values)
    {
        histogram ??= new long[Bins];
        var width = Max - Min;
        if (!(width > 0f))
        {
            count += values.Length;
            return;
        }

        var perUnit = (Bins - 1) / width;
        foreach (var value in values)
        {
            histogram[Math.Clamp((int)((value - Min) * perUnit), 0, Bins - 1)]++;
        }

        count += values.Length;
    }

    /// <summary>The range holding all but the tails beyond the quantiles (1 - p) and p; the full range before <see cref="Count"/>.</summary>
    public (float Min, float Max) Clipped(double percentile)
    {
        if (histogram is null || count == 0 || !(Max > Min))
        {
            return (Min, Max);
        }

        var tail = (long)Math.Floor(count * (1 - (percentile / 100)));
        var binWidth = (Max - Min) / (Bins - 1);
        int low = 0, high = Bins - 1;
        for (long seen = histogram[0]; seen <= tail && low < Bins - 1; seen += histogram[++low])
        {
        }

        for (long seen = histogram[Bins - 1]; seen <= tail && high > 0; seen += histogram[--high])
        {
        }

        return (Min + (low * binWidth), MathF.Min(Max, Min + ((high + 1) * binWidth)));
    }

    private static (float Min, float Max) MinMax(ReadOnlySpan<float> values)
    {
        var min = float.PositiveInfinity;
        var max = float.NegativeInfinity;
        var i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            var vmin = new Vector<float>(min);
            var vmax = new Vector<float>(max);
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = new Vector<float>(values.Slice(i));
                vmin = Vector.Min(vmin, v);
                vmax = Vector.Max(vmax, v);
            }

            for (var lane = 0; lane < Vector<float>.Count; lane++)
            {
                min = MathF.Min(min, vmin[lane]);
                max = MathF.Max(max, vmax[lane]);
            }
        }

        for (; i < values.Length; i++)
        {
            min = MathF.Min(min, values[i]);
            max = MathF.Max(max, values[i]);
        }

        return (min, max);
    }
}
