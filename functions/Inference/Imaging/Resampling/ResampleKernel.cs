namespace Serverless.Inference;

/// <summary>
/// The taps of one axis of a resize, for a window of output pixels: where each output pixel's
/// source run starts, how long it is, and its weights in PIL's 22-bit fixed point. Computed the
/// way PIL's precompute_coeffs and normalize_coeffs_8bpc do, so the sums round the same.
/// </summary>
internal sealed class ResampleKernel
{
    /// <summary>Fraction bits of the weights: 32 - 8 (the pixel) - 2 (headroom for negative lobes).</summary>
    public const int PrecisionBits = 22;

    private int[] starts = [];
    private int[] counts = [];
    private int[] weights = [];

    /// <summary>Weights stored per output pixel (the longest run; shorter runs are zero-padded).</summary>
    public int Taps { get; private set; }

    /// <summary>Output pixels in the window.</summary>
    public int Length { get; private set; }

    public ReadOnlySpan<int> Starts => starts.AsSpan(0, Length);

    public ReadOnlySpan<int> Counts => counts.AsSpan(0, Length);

    /// <summary>Length x <see cref="Taps"/> weights.</summary>
    public ReadOnlySpan<int> Weights => weights.AsSpan(0, Length * Taps);

    /// <summary>The first source pixel any output of the window reads.</summary>
    public int FirstSource => starts[0];

    /// <summary>One past the last source pixel any output of the window reads.</summary>
    public int EndSource => starts[Length - 1] + counts[Length - 1];

    /// <summary>
    /// Fills the kernel for outputs [<paramref name="first"/>, first + <paramref name="length"/>) of a
    /// resize of the source extent [0, <paramref name="extent"/>) (in source pixels; a reduced-scale
    /// decode covers a fraction of its last pixel) over <paramref name="sourceSize"/> pixels to
    /// <paramref name="outputSize"/>. Reuses its arrays, so a kernel per thread allocates once.
    /// </summary>
    public void Compute(int sourceSize, float extent, int outputSize, int first, int length, Interpolation interpolation)
    {
        // PIL takes the box as floats and subtracts in float: in1 - in0 with in0 = 0.
        var scale = (double)extent / outputSize;
        var filterScale = Math.Max(scale, 1.0);
        var support = ResampleFilter.Support(interpolation) * filterScale;
        var taps = ((int)Math.Ceiling(support) * 2) + 1;
        Reserve(length, taps);
        Taps = taps;
        Length = length;

        Span<double> k = stackalloc double[taps];
        var inverse = 1.0 / filterScale;
        for (var i = 0; i < length; i++)
        {
            var center = (first + i + 0.5) * scale;
            var min = Math.Max((int)(center - support + 0.5), 0);
            var count = Math.Min((int)(center + support + 0.5), sourceSize) - min;
            var sum = 0.0;
            for (var x = 0; x < count; x++)
            {
                k[x] = ResampleFilter.Weight(interpolation, (x + min - center + 0.5) * inverse);
                sum += k[x];
            }

            var row = weights.AsSpan(i * taps, taps);
            row.Clear();
            for (var x = 0; x < count; x++)
            {
                var w = sum != 0.0 ? k[x] / sum : k[x];
                row[x] = w < 0 ? (int)(-0.5 + (w * (1 << PrecisionBits))) : (int)(0.5 + (w * (1 << PrecisionBits)));
            }

            starts[i] = min;
            counts[i] = Math.Max(count, 0);
        }
    }

    private void Reserve(int length, int taps)
    {
        if (starts.Length < length)
        {
            starts = new int[length];
            counts = new int[length];
        }

        if (weights.Length < length * taps)
        {
            weights = new int[length * taps];
        }
    }
}
